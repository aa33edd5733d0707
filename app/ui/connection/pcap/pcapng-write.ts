/**
 * A session as a pcapng capture (the pcapng file format, IETF draft-ietf-opsawg-pcapng) that
 * Wireshark and tshark open and dissect as WebSocket: a Section Header Block, one Interface
 * Description Block (LINKTYPE_ETHERNET, microsecond timestamps), and one Enhanced Packet
 * Block per TCP segment, stamped with the session's own times.
 *
 * The TCP connection is rebuilt around the bytes the session recorded: the three-way handshake
 * (SYN, SYN-ACK, ACK) just before the HTTP request, then the request and the 101 as the first
 * data each way, then every frame's exact bytes in the order and at the time they crossed (a
 * frame over 1460 bytes is cut into segments of at most 1460, as on an Ethernet path), sequence
 * and acknowledgement numbers running as TCP's would, and a FIN from each side at the end (at
 * the recorded end of TCP, when the session has one). Addresses: the server's from the URL when
 * it is an IPv4 literal (else 198.51.100.1, a documentation address); the client's 127.0.0.1
 * for a loopback server, else 192.0.2.1. Ports: the URL's (80 for ws:, 443 for wss:: the bytes
 * here are the WebSocket's, never TLS) and 50000 for the client.
 */
import type { SessionEvent } from '../events.ts';
import { ethernetIpv4Tcp, TCP_ACK, TCP_FIN, TCP_PSH, TCP_SYN } from './packets.ts';

const MSS = 1460;
const LINKTYPE_ETHERNET = 1;
const CLIENT_PORT = 50000;

export class PcapExportError extends Error {}

interface Sent {
  t: number;
  from: 'client' | 'server';
  bytes: Uint8Array;
}

/** The bytes that crossed, in order: handshake text, frames, unframed bytes; and the EOFs. */
function wireOf(events: readonly SessionEvent[]): {
  sent: Sent[];
  eof: Partial<Record<'client' | 'server', number>>;
} {
  const sent: Sent[] = [];
  const eof: Partial<Record<'client' | 'server', number>> = {};
  const latin1 = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
  for (const e of events) {
    if (e.kind === 'handshake') sent.push({ t: e.t, from: e.from, bytes: latin1(e.text) });
    else if (e.kind === 'frame' || e.kind === 'bytes') sent.push({ t: e.t, from: e.from, bytes: e.bytes });
    else if (e.kind === 'eof') eof[e.from] ??= e.t;
  }
  return { sent, eof };
}

function ipv4(text: string): Uint8Array | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const b = m.slice(1).map(Number);
  return b.every((n) => n <= 255) ? Uint8Array.from(b) : undefined;
}

/** The endpoints as the capture shows them. */
export function endpointsFor(url: string): { client: Uint8Array; server: Uint8Array; port: number } {
  let host = '';
  let port = 80;
  try {
    const u = new URL(url);
    host = u.hostname;
    port = u.port !== '' ? Number(u.port) : u.protocol === 'wss:' ? 443 : 80;
  } catch {
    // no URL: the documentation addresses below
  }
  const literal = ipv4(host);
  const loopback = host === 'localhost' || literal?.[0] === 127;
  const server = literal ?? (loopback ? Uint8Array.of(127, 0, 0, 1) : Uint8Array.of(198, 51, 100, 1));
  const client = loopback ? Uint8Array.of(127, 0, 0, 1) : Uint8Array.of(192, 0, 2, 1);
  return { client, server, port };
}

/** pcapng blocks: type, total length, body padded to 32 bits, total length again. */
function block(type: number, body: Uint8Array): Uint8Array {
  const padded = (body.length + 3) & ~3;
  const out = new Uint8Array(12 + padded);
  const v = new DataView(out.buffer);
  v.setUint32(0, type, true);
  v.setUint32(4, out.length, true);
  out.set(body, 8);
  v.setUint32(8 + padded, out.length, true);
  return out;
}

/** An option: code, length, value padded to 32 bits. */
function option(code: number, value: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + ((value.length + 3) & ~3));
  const v = new DataView(out.buffer);
  v.setUint16(0, code, true);
  v.setUint16(2, value.length, true);
  out.set(value, 4);
  return out;
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const concat = (parts: readonly Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

function sectionHeader(comment: string): Uint8Array {
  const head = new Uint8Array(16);
  const v = new DataView(head.buffer);
  v.setUint32(0, 0x1a2b3c4d, true); // byte-order magic
  v.setUint16(4, 1, true); // version 1.0
  v.setUint16(6, 0, true);
  v.setBigInt64(8, -1n, true); // section length: not given
  const shbUserAppl = 4;
  return block(
    0x0a0d0d0a,
    concat([
      head,
      option(1, utf8(comment)),
      option(shbUserAppl, utf8('WebSocket Playground')),
      option(0, new Uint8Array(0)),
    ]),
  );
}

function interfaceDescription(): Uint8Array {
  const head = new Uint8Array(8);
  const v = new DataView(head.buffer);
  v.setUint16(0, LINKTYPE_ETHERNET, true);
  v.setUint32(4, 0, true); // snaplen: no limit
  // if_tsresol 6: microseconds (the default, said anyway).
  return block(
    1,
    concat([head, option(2, utf8('playground')), option(9, Uint8Array.of(6)), option(0, new Uint8Array(0))]),
  );
}

function enhancedPacket(micros: bigint, data: Uint8Array): Uint8Array {
  const head = new Uint8Array(20);
  const v = new DataView(head.buffer);
  v.setUint32(0, 0, true); // interface 0
  v.setUint32(4, Number(micros >> 32n), true);
  v.setUint32(8, Number(micros & 0xffffffffn), true);
  v.setUint32(12, data.length, true);
  v.setUint32(16, data.length, true);
  return block(6, concat([head, data]));
}

/**
 * The session's bytes as a pcapng file. Throws PcapExportError when the session has no opening
 * handshake (a HAR import has none): without it no tool can tell the bytes are WebSocket.
 */
export function sessionToPcapng(url: string, events: readonly SessionEvent[]): Uint8Array {
  const { sent, eof } = wireOf(events);
  if (!events.some((e) => e.kind === 'handshake' && e.from === 'client'))
    throw new PcapExportError(
      'This session has no opening handshake (a HAR keeps messages only), so a capture of it would not be recognised as WebSocket.',
    );
  const { client, server, port } = endpointsFor(url);
  const seq = { client: 0x1000_0000, server: 0x5000_0000 };
  const blocks: Uint8Array[] = [
    sectionHeader(
      `${url}: rebuilt by the WebSocket Playground from the bytes it recorded (TCP/IP headers made up around them).` +
        (port === 80 || port === 8080
          ? ''
          : ` In Wireshark, Decode As HTTP on TCP port ${port} to see WebSocket.`),
    ),
    interfaceDescription(),
  ];
  let last = 0n;
  let id = 1;
  const packet = (t: number, from: 'client' | 'server', flags: number, payload: Uint8Array): void => {
    // Microseconds from the session's milliseconds; never backwards, one apart at least.
    let micros = BigInt(Math.round(t * 1000));
    if (micros <= last) micros = last + 1n;
    last = micros;
    const to = from === 'client' ? 'server' : 'client';
    const seg = ethernetIpv4Tcp(
      {
        src: from === 'client' ? client : server,
        dst: from === 'client' ? server : client,
        srcPort: from === 'client' ? CLIENT_PORT : port,
        dstPort: from === 'client' ? port : CLIENT_PORT,
        seq: seq[from],
        ack: flags & TCP_ACK ? seq[to] : 0,
        flags,
        payload,
      },
      id++,
    );
    blocks.push(enhancedPacket(micros, seg));
    seq[from] = (seq[from] + payload.length + (flags & (TCP_SYN | TCP_FIN) ? 1 : 0)) >>> 0;
  };
  const t0 = sent[0]?.t ?? 0;
  // RFC 9293 3.5: the three-way handshake, a moment before the request.
  packet(t0 - 0.003, 'client', TCP_SYN, new Uint8Array(0));
  packet(t0 - 0.002, 'server', TCP_SYN | TCP_ACK, new Uint8Array(0));
  packet(t0 - 0.001, 'client', TCP_ACK, new Uint8Array(0));
  let tLast = t0;
  for (const s of sent) {
    tLast = Math.max(tLast, s.t);
    for (let at = 0; at < s.bytes.length; at += MSS)
      packet(s.t, s.from, TCP_ACK | TCP_PSH, s.bytes.subarray(at, Math.min(at + MSS, s.bytes.length)));
  }
  // The end of TCP: FIN each way (in the recorded order when known; the server first by 7.1.1), and the last ACK.
  const order: Array<'client' | 'server'> =
    (eof.client ?? Infinity) < (eof.server ?? Infinity) ? ['client', 'server'] : ['server', 'client'];
  for (const side of order)
    packet(Math.max(eof[side] ?? tLast, tLast), side, TCP_FIN | TCP_ACK, new Uint8Array(0));
  packet(tLast, order[0]!, TCP_ACK, new Uint8Array(0));
  return concat(blocks);
}
