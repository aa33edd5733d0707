import http from 'node:http';
import net from 'node:net';
import { PassThrough } from 'node:stream';
import tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { MAX_READ_BUFFER, MIN_READ_BUFFER, ReadBufferSizer, readIntoOwnBuffer } from './reused-reads.ts';
import { frameBytes, parseFrames, RawClient, sleep, testServers, withTimeout } from './test-helpers.ts';

interface Read {
  buffer: ArrayBufferLike;
  text: string;
}

/** An HTTP server whose upgrades are rebuilt by readIntoOwnBuffer; `keep` is what onRead answers. */
async function upgradeServer(keep: (read: Read) => boolean) {
  const reads: Read[] = [];
  const events: string[] = [];
  let rebuilt: net.Socket | undefined;
  const server = http.createServer();
  server.on('upgrade', (_req, old: net.Socket) => {
    old.on('close', () => events.push('old close'));
    rebuilt = readIntoOwnBuffer(old, (bytes) => {
      const read = { buffer: bytes.buffer, text: Buffer.from(bytes).toString() };
      reads.push(read);
      return keep(read);
    });
    if (!rebuilt) throw new Error('not rebuilt');
    rebuilt.on('end', () => {
      events.push('end');
      rebuilt?.end();
    });
    rebuilt.on('close', () => events.push('close'));
    rebuilt.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: test\r\nConnection: Upgrade\r\n\r\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const client = net.connect(port, '127.0.0.1');
  client.write(`GET / HTTP/1.1\r\nHost: x\r\nUpgrade: test\r\nConnection: Upgrade\r\n\r\n`);
  await new Promise((r) => client.once('data', r));
  const socket = (): net.Socket => rebuilt!;
  /** Writes `text` and waits until the server has read it. */
  const send = async (text: string): Promise<void> => {
    const before = reads.map((r) => r.text).join('');
    client.write(text);
    for (let i = 0; i < 100 && reads.map((r) => r.text).join('') === before; i++) await sleep(5);
  };
  return { server, client, reads, events, socket, send };
}

describe('readIntoOwnBuffer: the Node behaviour it relies on', () => {
  it('reads an upgraded socket into one buffer, and into a new one after a read that is kept', async () => {
    let keepNext = false;
    const { server, client, reads, events, send } = await upgradeServer(() => keepNext);
    await send('one');
    await send('two');
    keepNext = true;
    await send('three');
    keepNext = false;
    await send('four');
    expect(reads.map((r) => r.text)).toEqual(['one', 'two', 'three', 'four']);
    expect(reads[1]!.buffer).toBe(reads[0]!.buffer);
    expect(reads[2]!.buffer).toBe(reads[0]!.buffer);
    // 'three' was kept: its buffer is not read into again.
    expect(reads[3]!.buffer).not.toBe(reads[2]!.buffer);
    // The old socket object closed without touching TCP; the server counts the new one.
    expect(events).toEqual(['old close']);
    expect(await new Promise((r) => server.getConnections((_e, n) => r(n)))).toBe(1);
    // The peer's FIN ends the new socket; server.close() then finishes (the count moved over).
    client.end();
    await withTimeout(new Promise((r) => server.close(r)), 3_000, 'server.close');
    for (let i = 0; i < 100 && events.length < 3; i++) await sleep(5);
    expect(events).toEqual(['old close', 'end', 'close']);
  });

  it('pause() stops reading at once and resume() starts it again', async () => {
    const { server, client, reads, socket, send } = await upgradeServer(() => false);
    await send('a');
    socket().pause();
    client.write('b');
    await sleep(100);
    expect(reads.map((r) => r.text)).toEqual(['a']);
    socket().resume();
    for (let i = 0; i < 100 && reads.length < 2; i++) await sleep(5);
    expect(reads.map((r) => r.text)).toEqual(['a', 'b']);
    client.destroy();
    await new Promise((r) => server.close(r));
  });

  it('leaves alone what it cannot rebuild: TLS, a socket without a handle, any other stream', () => {
    const read = (): boolean => false;
    expect(readIntoOwnBuffer(new tls.TLSSocket(new net.Socket()), read)).toBeUndefined();
    expect(readIntoOwnBuffer(new net.Socket(), read)).toBeUndefined();
    expect(readIntoOwnBuffer(new PassThrough(), read)).toBeUndefined();
  });

  it('sizes the buffer to the traffic: x4 when a read fills it, down after a run of small reads', () => {
    const sizer = new ReadBufferSizer();
    expect(sizer.size).toBe(MIN_READ_BUFFER);
    expect(sizer.next(100)).toBe(MIN_READ_BUFFER);
    expect(sizer.next(MIN_READ_BUFFER)).toBe(MIN_READ_BUFFER * 4);
    expect(sizer.next(MIN_READ_BUFFER * 4)).toBe(MAX_READ_BUFFER);
    expect(sizer.next(MAX_READ_BUFFER)).toBe(MAX_READ_BUFFER);
    // Reads of 1/16 or less, 31 in a row: no change yet; a bigger one starts the run again.
    for (let i = 0; i < 31; i++) expect(sizer.next(100)).toBe(MAX_READ_BUFFER);
    expect(sizer.next(MAX_READ_BUFFER / 2)).toBe(MAX_READ_BUFFER);
    for (let i = 0; i < 31; i++) sizer.next(100);
    expect(sizer.next(100)).toBe(MAX_READ_BUFFER / 4);
    for (let i = 0; i < 32 * 4; i++) sizer.next(1);
    expect(sizer.size).toBe(MIN_READ_BUFFER);
  });
});

/** `n` bytes that say which message they belong to, all through. */
function pattern(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (seed * 31 + i * 7) & 0xff;
  return b;
}

const binaryFrames = (c: RawClient) => c.frames().filter((f) => f.opcode === 0x2);

describe('the server reuses read buffers and never overwrites bytes still in use', () => {
  const servers = testServers();

  async function open(path: string): Promise<RawClient> {
    const { client } = await RawClient.open(servers.current.port, path);
    servers.later(() => client.destroy());
    return client;
  }

  it('reads into kept buffers (the tests below would prove nothing otherwise)', async () => {
    const server = await servers.start();
    await open('/echo');
    expect(server.playground.snapshot().map((c) => c.reusesReadBuffer)).toEqual([true]);
  });

  it('a frame split across reads: the first part is not overwritten by the second (5.2)', async () => {
    await servers.start();
    const client = await open('/echo');
    for (const [i, size] of [100, 5000, 70_000].entries()) {
      const bytes = frameBytes({ opcode: 0x2, payload: pattern(size, i) });
      const cut = Math.floor(bytes.length / 2);
      client.write(bytes.subarray(0, cut));
      await sleep(30);
      client.write(bytes.subarray(cut));
      await client.until((b) => parseFrames(b).frames.length === i + 1, 3_000, `echo ${i}`);
    }
    expect(binaryFrames(client)).toHaveLength(3);
    binaryFrames(client).forEach((f, i) => expect(f.payload.equals(pattern(f.payload.length, i))).toBe(true));
  });

  it('a fragmented message: the first fragment is kept intact until the last arrives (5.4)', async () => {
    await servers.start();
    const client = await open('/echo');
    const a = pattern(3000, 1);
    const b = pattern(3000, 2);
    client.write(frameBytes({ opcode: 0x2, fin: false, payload: a }));
    await sleep(30);
    client.write(frameBytes({ opcode: 0x0, payload: b }));
    await client.until((buf) => parseFrames(buf).frames.length === 1, 3_000, 'echo');
    expect(binaryFrames(client)[0]!.payload.equals(Buffer.concat([a, b]))).toBe(true);
  });

  /** Bytes the server holds unwritten for `client` (the kernel's buffers are full). */
  const queuedFor = (client: RawClient): number =>
    servers.current.playground.snapshot().find((c) => c.remote.endsWith(`:${client.socket.localPort}`))
      ?.bufferedAmount ?? 0;

  // Echoes wait in Node's queue while the peer does not read; the reads between come in batches
  // (the socket pauses and resumes), so this one mostly proves the engine's side (holdsInput).
  // The /chat test below is the one where a queued write alone must keep the buffer.
  it('echoes waiting in a full socket are sent as they were read', async () => {
    await servers.start();
    const client = await open('/echo');
    client.socket.pause();
    // Over 4 KiB, so the echo is written as it lies in the read buffer (no copy).
    const size = 5000;
    let sent = 0;
    const send = async (): Promise<void> => {
      client.write(frameBytes({ opcode: 0x2, payload: pattern(size, sent++) }));
      await sleep(1); // one read each
    };
    // Until the kernel's buffers are full and Node queues the echoes, then a few more: each
    // one read while the echoes before it wait in the queue.
    while (queuedFor(client) === 0 && sent < 5000) await send();
    for (let i = 0; i < 6; i++) await send();
    expect(queuedFor(client)).toBeGreaterThan(0);
    client.socket.resume();
    await client.until((b) => parseFrames(b).frames.length === sent, 10_000, 'every echo');
    const wrong = binaryFrames(client).filter((f, i) => !f.payload.equals(pattern(size, i)));
    expect(wrong).toHaveLength(0);
  });

  it('a /chat broadcast waiting for a member that does not read is not overwritten', async () => {
    await servers.start();
    const lazy = await open('/chat');
    lazy.socket.pause();
    const talker = await open('/chat');
    const size = 16 * 1024;
    let sent = 0;
    const send = async (): Promise<void> => {
      talker.write(frameBytes({ opcode: 0x2, payload: pattern(size, sent++) }));
      await talker.until((b) => parseFrames(b).frames.filter((f) => f.opcode === 0x2).length === sent);
    };
    while (queuedFor(lazy) === 0 && sent < 2000) await send();
    for (let i = 0; i < 6; i++) await send();
    expect(queuedFor(lazy)).toBeGreaterThan(0);
    lazy.socket.resume();
    await lazy.until(() => binaryFrames(lazy).length === sent, 10_000, 'every broadcast');
    const wrong = binaryFrames(lazy).filter((f, i) => !f.payload.equals(pattern(size, i)));
    expect(wrong).toHaveLength(0);
  });

  it('many connections, random sizes and random splits, fragments and pings: every echo intact', async () => {
    await servers.start();
    // A small deterministic generator, so a failure can be replayed.
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const clients = await Promise.all(Array.from({ length: 12 }, () => open('/echo')));
    const expected = clients.map(() => [] as Buffer[]);
    const sizes = [0, 1, 125, 126, 4096, 4097, 5000, 16 * 1024, 65_535, 65_536, 100_000];
    await Promise.all(
      clients.map(async (client, c) => {
        for (let m = 0; m < 15; m++) {
          const size = sizes[rand(sizes.length)]!;
          const payload = pattern(size, c * 100 + m);
          expected[c]!.push(Buffer.from(payload));
          let bytes: Buffer;
          if (rand(3) === 0 && size > 1) {
            // 5.4 in two fragments, a ping between them (5.5: allowed).
            const cut = 1 + rand(size - 1);
            bytes = Buffer.concat([
              frameBytes({ opcode: 0x2, fin: false, payload: payload.subarray(0, cut) }),
              frameBytes({ opcode: 0x9, payload: 'p' }),
              frameBytes({ opcode: 0x0, payload: payload.subarray(cut) }),
            ]);
          } else bytes = frameBytes({ opcode: 0x2, payload });
          // Written in up to 4 pieces, cut anywhere, with pauses between.
          let at = 0;
          while (at < bytes.length) {
            const piece = Math.min(bytes.length - at, 1 + rand(Math.ceil(bytes.length / 2)));
            client.write(bytes.subarray(at, at + piece));
            at += piece;
            if (rand(2) === 0) await sleep(rand(4));
          }
        }
      }),
    );
    for (const [c, client] of clients.entries()) {
      await client.until(() => binaryFrames(client).length === 15, 10_000, `echoes of client ${c}`);
      const got = binaryFrames(client).map((f) => f.payload);
      got.forEach((p, m) => expect(p.equals(expected[c]![m]!), `client ${c} message ${m}`).toBe(true));
    }
  });
});
