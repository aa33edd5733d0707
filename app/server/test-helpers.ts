/**
 * Helpers for the server's tests: a server per test on 127.0.0.1:0, `ws` clients, and a raw
 * TCP client that writes frames byte by byte. The raw client's frame codec is written here on
 * purpose, independent of app/protocol, so the tests do not check the engine against itself.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { afterEach } from 'vitest';
import { WebSocket } from 'ws';
import { startStandalone, type Standalone, type StandaloneOptions } from './standalone.ts';

export const NO_ROOT = '/nonexistent-playground-dist';

export async function startTestServer(options: StandaloneOptions = {}): Promise<Standalone> {
  return startStandalone({ host: '127.0.0.1', port: 0, root: NO_ROOT, closeTimeout: 1_000, ...options });
}

export interface TestServers {
  /** Starts this test's server (stopped after the test). */
  start(options?: StandaloneOptions): Promise<Standalone>;
  /** The server this test started. */
  readonly current: Standalone;
  /** Runs `fn` after the test, before the server stops (close a client, ...). */
  later(fn: () => void): void;
}

/** Call once at the top of a test file: a server per test, and clean-ups after each. */
export function testServers(): TestServers {
  let server: Standalone | undefined;
  const cleanups: Array<() => void> = [];
  afterEach(async () => {
    for (const fn of cleanups.splice(0)) fn();
    await server?.stop();
    server = undefined;
  });
  return {
    async start(options) {
      server = await startTestServer(options);
      return server;
    },
    get current() {
      if (!server) throw new Error('no server: call start() first');
      return server;
    },
    later: (fn) => void cleanups.push(fn),
  };
}

export function wsUrl(server: Standalone, path: string): string {
  return `ws://127.0.0.1:${server.port}${path}`;
}

const inboxes = new WeakMap<WebSocket, Inbox>();

/** The inbox attached to `ws` when it was made, so messages sent with the 101 are not missed. */
export function inboxOf(ws: WebSocket): Inbox {
  let inbox = inboxes.get(ws);
  if (!inbox) inboxes.set(ws, (inbox = new Inbox(ws)));
  return inbox;
}

export function openWs(
  url: string,
  protocols?: string | string[],
  options: ConstructorParameters<typeof WebSocket>[2] = {},
): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = protocols === undefined ? new WebSocket(url, options) : new WebSocket(url, protocols, options);
    inboxOf(ws);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`unexpected response ${res.statusCode}`)));
  });
}

export interface Received {
  data: string | Buffer;
  isBinary: boolean;
}

/** Collects messages; `next()` resolves with the next one (in order). */
export class Inbox {
  readonly messages: Received[] = [];
  pings = 0;
  #waiters: Array<(m: Received) => void> = [];
  #read = 0;
  constructor(ws: WebSocket) {
    ws.on('ping', () => this.pings++);
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const m: Received = { data: isBinary ? data : data.toString('utf8'), isBinary };
      this.messages.push(m);
      const w = this.#waiters.shift();
      if (w) {
        this.#read++;
        w(m);
      }
    });
  }
  next(timeoutMs = 3_000): Promise<Received> {
    if (this.#read < this.messages.length) return Promise.resolve(this.messages[this.#read++] as Received);
    return withTimeout(new Promise<Received>((resolve) => this.#waiters.push(resolve)), timeoutMs, 'message');
  }
  /** The next text message that is not a chat presence notice. */
  async nextData(timeoutMs = 3_000): Promise<Received> {
    for (;;) {
      const m = await this.next(timeoutMs);
      if (typeof m.data === 'string' && m.data.startsWith('{"type":"presence"')) continue;
      return m;
    }
  }
}

export function closed(ws: WebSocket, timeoutMs = 5_000): Promise<{ code: number; reason: string }> {
  return withTimeout(
    new Promise((resolve) => {
      if (ws.readyState === WebSocket.CLOSED) resolve({ code: -1, reason: 'already closed' });
      ws.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString('utf8') }));
    }),
    timeoutMs,
    'close',
  );
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ---- raw frames, written by hand ------------------------------------------------------------

export interface RawFrame {
  fin?: boolean;
  rsv?: number; // 3 bits: rsv1 = 4, rsv2 = 2, rsv3 = 1
  opcode: number;
  payload?: Uint8Array | string;
  /** A 4-byte key, or null for an unmasked frame. Default: random. */
  mask?: Uint8Array | null;
  /** Force a length encoding: 7, 16 or 64 bits. Default: the shortest. */
  lengthBits?: 7 | 16 | 64;
}

const enc = new TextEncoder();

/** 5.2: FIN RSV1-3 opcode | MASK len7 | ext len | mask key | (masked) payload. */
export function frameBytes(f: RawFrame): Buffer {
  const payload = typeof f.payload === 'string' ? enc.encode(f.payload) : (f.payload ?? new Uint8Array());
  const mask = f.mask === undefined ? randomBytes(4) : f.mask;
  const n = payload.length;
  const bits = f.lengthBits ?? (n < 126 ? 7 : n < 65536 ? 16 : 64);
  const head: number[] = [((f.fin ?? true) ? 0x80 : 0) | ((f.rsv ?? 0) << 4) | f.opcode];
  const m = mask ? 0x80 : 0;
  if (bits === 7) head.push(m | n);
  else if (bits === 16) head.push(m | 126, n >> 8, n & 255);
  else {
    head.push(m | 127, 0, 0, 0, 0);
    head.push((n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
  }
  const body = Buffer.from(payload);
  if (mask) {
    head.push(...mask);
    for (let i = 0; i < body.length; i++) body[i] = (body[i] as number) ^ (mask[i & 3] as number);
  }
  return Buffer.concat([Buffer.from(head), body]);
}

export function closePayload(code: number, reason = ''): Buffer {
  const r = Buffer.from(reason, 'utf8');
  const b = Buffer.alloc(2 + r.length);
  b.writeUInt16BE(code, 0);
  r.copy(b, 2);
  return b;
}

export interface ServerFrame {
  fin: boolean;
  rsv: number;
  opcode: number;
  masked: boolean;
  payload: Buffer;
}

/** Decodes whole frames from the server's bytes (they must not be masked). */
export function parseFrames(bytes: Buffer): { frames: ServerFrame[]; rest: Buffer } {
  const frames: ServerFrame[] = [];
  let at = 0;
  for (;;) {
    if (bytes.length - at < 2) break;
    const b0 = bytes[at] as number;
    const b1 = bytes[at + 1] as number;
    let len = b1 & 127;
    let p = at + 2;
    if (len === 126) {
      if (bytes.length < p + 2) break;
      len = bytes.readUInt16BE(p);
      p += 2;
    } else if (len === 127) {
      if (bytes.length < p + 8) break;
      len = Number(bytes.readBigUInt64BE(p));
      p += 8;
    }
    const masked = (b1 & 0x80) !== 0;
    if (masked) p += 4;
    if (bytes.length < p + len) break;
    frames.push({
      fin: (b0 & 0x80) !== 0,
      rsv: (b0 >> 4) & 7,
      opcode: b0 & 15,
      masked,
      payload: bytes.subarray(p, p + len),
    });
    at = p + len;
  }
  return { frames, rest: bytes.subarray(at) };
}

export const HANDSHAKE_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
/** 4.2.2: the accept value for the RFC's sample key (section 1.3). */
export const HANDSHAKE_ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=';

export function requestHead(
  path: string,
  port: number,
  extra: Record<string, string> = {},
  remove: string[] = [],
): string {
  const headers: Record<string, string> = {
    Host: `127.0.0.1:${port}`,
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': HANDSHAKE_KEY,
    'Sec-WebSocket-Version': '13',
    ...extra,
  };
  for (const r of remove) delete headers[r];
  return `GET ${path} HTTP/1.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
}

/** A raw TCP client: everything the server sends is collected; `ended` resolves at close. */
export class RawClient {
  readonly socket: net.Socket;
  buffer = Buffer.alloc(0);
  ended: Promise<void>;
  gotEnd = false;
  #waiters: Array<() => void> = [];

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (d: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, d]);
      for (const w of this.#waiters.splice(0)) w();
    });
    socket.on('error', () => {});
    socket.on('end', () => {
      this.gotEnd = true;
    });
    this.ended = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  /** Connects and completes the handshake; `buffer` then holds what came after the 101 head. */
  static async open(
    port: number,
    path = '/echo',
    extra: Record<string, string> = {},
  ): Promise<{ client: RawClient; head: string }> {
    const client = await RawClient.connect(port);
    client.write(requestHead(path, port, extra));
    const head = await client.readHead();
    if (!head.startsWith('HTTP/1.1 101')) throw new Error(`no 101: ${head}`);
    return { client, head };
  }

  write(data: Uint8Array | string): void {
    this.socket.write(data);
  }

  /** Waits until `predicate(buffer)` holds. */
  async until(predicate: (b: Buffer) => boolean, timeoutMs = 3_000, what = 'bytes'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.buffer)) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `timed out waiting for ${what}; have ${this.buffer.length} bytes: ${this.buffer.subarray(0, 64).toString('hex')}`,
        );
      await Promise.race([
        new Promise<void>((r) => this.#waiters.push(r)),
        this.ended,
        sleep(Math.min(left, 100)),
      ]);
    }
  }

  async readHead(timeoutMs = 3_000): Promise<string> {
    await this.until((b) => b.includes('\r\n\r\n') || this.socket.destroyed, timeoutMs, 'HTTP head');
    const end = this.buffer.indexOf('\r\n\r\n');
    if (end === -1) return this.buffer.toString('latin1');
    const head = this.buffer.subarray(0, end + 4).toString('latin1');
    this.buffer = this.buffer.subarray(end + 4);
    return head;
  }

  frames(): ServerFrame[] {
    return parseFrames(this.buffer).frames;
  }

  /** Waits for a close frame; returns its code (1005 when empty) and reason. */
  async closeFrame(timeoutMs = 3_000): Promise<{ code: number; reason: string }> {
    await this.until((b) => parseFrames(b).frames.some((f) => f.opcode === 8), timeoutMs, 'close frame');
    const f = this.frames().find((fr) => fr.opcode === 8) as ServerFrame;
    if (f.payload.length === 0) return { code: 1005, reason: '' };
    return { code: f.payload.readUInt16BE(0), reason: f.payload.subarray(2).toString('utf8') };
  }

  /** Resolves when the server has ended TCP (FIN or close). */
  async tcpEnded(timeoutMs = 3_000): Promise<void> {
    await withTimeout(
      new Promise<void>((resolve) => {
        if (this.gotEnd || this.socket.destroyed) resolve();
        this.socket.once('end', () => resolve());
        this.socket.once('close', () => resolve());
      }),
      timeoutMs,
      'TCP end',
    );
  }

  destroy(): void {
    this.socket.destroy();
  }
}
