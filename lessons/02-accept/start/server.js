// Lesson 2: answer the opening handshake with your own Sec-WebSocket-Accept (RFC 6455 §4.2.2).
// Write acceptFor(key), press Run, then Check: the lesson's client connects with fresh random
// keys and reads the 101 your server sends back.
import { WebSocketServer } from 'ws';

// The key is what the client sent in Sec-WebSocket-Key, e.g. 'dGhlIHNhbXBsZSBub25jZQ=='.
// Return the Sec-WebSocket-Accept for it. For now it sends the key back unchanged.
function acceptFor(key) {
  return key;
}

// sha1() is at the end of this file: it gives 20 bytes. Buffer writes bytes as hex or base64.
console.log('sha1("abc") in hex:', Buffer.from(sha1('abc')).toString('hex'));

// The server: `acceptKey` replaces the playground's own computation, so whatever acceptFor
// returns goes into the 101 as Sec-WebSocket-Accept, exactly as it is.
const wss = new WebSocketServer({
  port: 6455,
  acceptKey(key) {
    const accept = acceptFor(key);
    console.log(`key ${key} -> Sec-WebSocket-Accept: ${accept}`);
    return accept;
  },
});
wss.on('listening', () => console.info('listening on ws://localhost:6455'));
wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));

// ---- Below: a SHA-1 for you to use. Not part of the lesson: you may read it, or not. ----

// SHA-1 (FIPS 180-4) of a string (taken as UTF-8) or of bytes. Returns 20 bytes (a Uint8Array).
function sha1(input) {
  const data = typeof input === 'string' ? new TextEncoder().encode(input) : Uint8Array.from(input);
  // Padding: a 1 bit, zeros, then the length in bits as 64 bits, to a multiple of 64 bytes.
  const blocks = new Uint8Array(Math.ceil((data.length + 9) / 64) * 64);
  blocks.set(data);
  blocks[data.length] = 0x80;
  const view = new DataView(blocks.buffer);
  view.setUint32(blocks.length - 8, Math.floor(data.length / 0x20000000));
  view.setUint32(blocks.length - 4, (data.length * 8) >>> 0);

  const h = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0];
  const w = new Uint32Array(80);
  const rotl = (x, n) => (x << n) | (x >>> (32 - n));
  for (let offset = 0; offset < blocks.length; offset += 64) {
    for (let i = 0; i < 16; i++) w[i] = view.getUint32(offset + i * 4);
    for (let i = 16; i < 80; i++) w[i] = rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    let [a, b, c, d, e] = h;
    for (let i = 0; i < 80; i++) {
      let f, k;
      if (i < 20) [f, k] = [(b & c) | (~b & d), 0x5a827999];
      else if (i < 40) [f, k] = [b ^ c ^ d, 0x6ed9eba1];
      else if (i < 60) [f, k] = [(b & c) | (b & d) | (c & d), 0x8f1bbcdc];
      else [f, k] = [b ^ c ^ d, 0xca62c1d6];
      const next = (rotl(a, 5) + f + e + k + w[i]) >>> 0;
      [a, b, c, d, e] = [next, a, rotl(b, 30) >>> 0, c, d];
    }
    h[0] = (h[0] + a) >>> 0;
    h[1] = (h[1] + b) >>> 0;
    h[2] = (h[2] + c) >>> 0;
    h[3] = (h[3] + d) >>> 0;
    h[4] = (h[4] + e) >>> 0;
  }
  const digest = new Uint8Array(20);
  h.forEach((word, i) => new DataView(digest.buffer).setUint32(i * 4, word));
  return digest;
}
