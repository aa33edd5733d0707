/**
 * A pcap or pcapng capture as playground sessions: TCP is reassembled per direction (by sequence
 * number, so retransmissions and reordering do no harm), each connection whose client stream
 * starts with an HTTP upgrade to websocket (RFC 6455 §4.1) becomes one session, and the bytes
 * after the handshake are cut into frames by the engine's decoder, each stamped with the time
 * of the packet that completed it. What the engine refuses (a violation) is kept as unframed
 * bytes with the reason, as the tap shows it. A capture with no such connection is a
 * CaptureError that says what was found instead (a wss:// capture is TLS: nothing to read).
 */
import { decodeFrames, type Side, type WireEvent } from '../../lib/engine.ts';
import { HeadReader } from '../../lib/handshake.ts';
import type { SessionFile } from '../export.ts';
import { CaptureError, readCapture } from './capture-read.ts';
import { readIpTcp, TCP_ACK, TCP_FIN, TCP_SYN, type Segment } from './packets.ts';

export { CaptureError, isCapture } from './capture-read.ts';

interface Piece {
  /** Offset from the first byte after the SYN. */
  rel: number;
  t: number;
  bytes: Uint8Array;
}

interface Direction {
  isn: number | undefined;
  pieces: Piece[];
  fin: number | undefined;
}

interface Conn {
  /** The side that sent the SYN (else the first packet's sender): the client. */
  client: string;
  server: string;
  dirs: Record<string, Direction>;
  t0: number;
}

const addr = (ip: Uint8Array, port: number): string =>
  ip.length === 4
    ? `${ip.join('.')}:${port}`
    : `[${[...ip].map((b) => b.toString(16).padStart(2, '0')).join('')}]:${port}`;

/** The stream's bytes in order, each byte's arrival time kept as (end offset, time) steps. */
function assemble(d: Direction): { bytes: Uint8Array; times: Array<{ end: number; t: number }> } {
  const pieces = [...d.pieces].sort((a, b) => a.rel - b.rel || a.t - b.t);
  const out: Uint8Array[] = [];
  const times: Array<{ end: number; t: number }> = [];
  let next = pieces[0]?.rel ?? 0;
  let size = 0;
  for (const p of pieces) {
    const end = p.rel + p.bytes.length;
    if (end <= next) continue; // a retransmission of what we have
    if (p.rel > next) break; // a gap: bytes never captured; stop there
    const fresh = p.bytes.subarray(next - p.rel);
    out.push(fresh);
    size += fresh.length;
    times.push({ end: size, t: p.t });
    next = end;
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const o of out) {
    bytes.set(o, at);
    at += o.length;
  }
  return { bytes, times };
}

function timeAt(times: ReadonlyArray<{ end: number; t: number }>, offset: number): number {
  for (const s of times) if (offset <= s.end) return s.t;
  return times.at(-1)?.t ?? 0;
}

function connections(segments: Array<{ t: number; s: Segment }>): Conn[] {
  const open = new Map<string, Conn>();
  const done: Conn[] = [];
  for (const { t, s } of segments) {
    const a = addr(s.src, s.srcPort);
    const b = addr(s.dst, s.dstPort);
    const key = [a, b].sort().join(' ');
    const syn = (s.flags & TCP_SYN) !== 0 && (s.flags & TCP_ACK) === 0;
    let c = open.get(key);
    // The same ports used again: a SYN with a new initial sequence number starts a new connection.
    const isn = c?.dirs[a]?.isn;
    if (c && syn && isn !== undefined && isn !== s.seq) {
      done.push(c);
      c = undefined;
    }
    if (!c) {
      c = { client: a, server: b, dirs: {}, t0: t };
      open.set(key, c);
    }
    if (syn) {
      c.client = a;
      c.server = b;
    }
    const d = (c.dirs[a] ??= { isn: undefined, pieces: [], fin: undefined });
    if (s.flags & TCP_SYN) d.isn = s.seq;
    // Without the SYN in the capture, the first byte seen starts the stream.
    d.isn ??= (s.seq - 1) >>> 0;
    const rel = (s.seq - d.isn - 1) >>> 0;
    if (s.payload.length > 0 && rel < 2 ** 31) d.pieces.push({ rel, t, bytes: s.payload });
    if (s.flags & TCP_FIN) d.fin ??= t;
  }
  return [...done, ...open.values()];
}

/** One WebSocket connection's events, or undefined when it is not one. */
function sessionOf(c: Conn): SessionFile | undefined {
  const cs = assemble(c.dirs[c.client] ?? { isn: 0, pieces: [], fin: undefined });
  const ss = assemble(c.dirs[c.server] ?? { isn: 0, pieces: [], fin: undefined });
  const reqHead = new HeadReader(65536).push(cs.bytes);
  if (
    reqHead.kind !== 'head' ||
    !/^GET /.test(reqHead.text) ||
    !/^upgrade:\s*websocket\s*$/im.test(reqHead.text)
  )
    return undefined;
  const events: WireEvent[] = [];
  const reqEnd = cs.bytes.length - reqHead.rest.length;
  events.push({ kind: 'handshake', t: timeAt(cs.times, reqEnd), from: 'client', text: reqHead.text });
  const resHead = new HeadReader(65536).push(ss.bytes);
  const notes: string[] = [];
  const frames = (from: Side, stream: typeof cs, start: number): void => {
    const bytes = stream.bytes.subarray(start);
    // 5.1: the reader's role decides which side must mask.
    const {
      frames: list,
      error,
      rest,
    } = decodeFrames(bytes, { role: from === 'client' ? 'server' : 'client', allowRsv1: true });
    let at = 0;
    for (const f of list) {
      at += f.bytes.length;
      events.push({ kind: 'frame', t: timeAt(stream.times, start + at), from, bytes: f.bytes.slice() });
    }
    const left = bytes.subarray(bytes.length - rest);
    if (left.length > 0)
      events.push({
        kind: 'bytes',
        t: timeAt(stream.times, stream.bytes.length),
        from,
        bytes: left.slice(),
        note: error ? `${error.code}: ${error.message}` : 'the capture ends inside this frame',
      });
  };
  if (resHead.kind === 'head') {
    const resEnd = ss.bytes.length - resHead.rest.length;
    events.push({ kind: 'handshake', t: timeAt(ss.times, resEnd), from: 'server', text: resHead.text });
    if (/^HTTP\/1\.1 101 /.test(resHead.text)) {
      frames('client', cs, reqEnd);
      frames('server', ss, resEnd);
    } else notes.push('The server refused the handshake: there are no frames.');
  } else notes.push('The capture has no answer to the handshake.');
  for (const side of ['client', 'server'] as const) {
    const fin = c.dirs[side === 'client' ? c.client : c.server]?.fin;
    if (fin !== undefined) events.push({ kind: 'eof', t: fin, from: side });
  }
  events.sort((a, b) => a.t - b.t); // stable: each direction keeps its order
  const target = reqHead.text.split(' ')[1] ?? '/';
  const host = /^host:\s*(\S+)\s*$/im.exec(reqHead.text)?.[1] ?? c.server;
  const protocols = (/^sec-websocket-protocol:\s*(.*?)\s*$/im.exec(reqHead.text)?.[1] ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  notes.push(`From a capture: ${c.client} → ${c.server}.`);
  return { url: `ws://${host}${target}`, protocols, events, notes };
}

/** Every WebSocket connection in a capture, as sessions. */
export function importCapture(bytes: Uint8Array): SessionFile[] {
  const capture = readCapture(bytes);
  const segments: Array<{ t: number; s: Segment }> = [];
  for (const p of capture.packets) {
    const s = readIpTcp(p.ip);
    if (s) segments.push({ t: p.t, s });
  }
  const conns = connections(segments);
  const files = conns.map(sessionOf).filter((f): f is SessionFile => f !== undefined);
  if (files.length === 0)
    throw new CaptureError(
      `no WebSocket connection in this ${capture.format} capture: ${capture.packets.length} packets, ` +
        `${conns.length} TCP connection${conns.length === 1 ? '' : 's'}, none starting with an HTTP ` +
        `GET with Upgrade: websocket (a wss:// capture is encrypted by TLS: capture ws:// instead).`,
    );
  return files;
}
