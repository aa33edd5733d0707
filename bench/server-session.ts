/**
 * Where a server echo spends its CPU, without sockets: the same masked client frame pushed
 * through (1) the engine alone, (2) the engine inside a Session with the echo service (what the
 * Node server runs per message, minus the syscalls; untapped, so without frame events), and (3) `ws`'s Receiver + Sender doing
 * the same echo (ws as it loads by default here: with bufferutil). Prints ns per echoed message and the ratios.
 *
 *   npx tsx bench/server-session.ts
 */
import { randomBytes } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Receiver, Sender } from 'ws';
import { Connection } from '../app/protocol/connection.ts';
import { createEchoService } from '../app/services/echo.ts';
import type { Timers } from '../app/services/service.ts';
import { Session, type Wire } from '../app/services/session.ts';
import { installNativeMask } from '../app/server/mask-kernel.ts';
import { installFrameSlabs } from '../app/server/frame-slabs.ts';

export interface SessionBenchResult {
  size: number;
  engineNs: number;
  sessionNs: number;
  wsNs: number;
}

function maskedFrame(size: number): Uint8Array {
  const key = randomBytes(4);
  const payload = Buffer.alloc(size, 0x61);
  for (let i = 0; i < size; i++) payload[i] = (payload[i] as number) ^ (key[i & 3] as number);
  const header =
    size < 126 ? Buffer.from([0x82, 0x80 | size]) : Buffer.from([0x82, 0x80 | 126, size >> 8, size & 255]);
  return Uint8Array.from(Buffer.concat([header, key, payload]));
}

/**
 * The frame as our server hands a read to the engine: a fresh Buffer (as a socket read gives
 * ws), seen through a plain Uint8Array view (app/server/server.ts).
 */
function asRead(frame: Uint8Array): Uint8Array {
  const chunk = Buffer.from(frame);
  return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

const timers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id as ReturnType<typeof setTimeout>),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (id) => clearInterval(id as ReturnType<typeof setInterval>),
};

/** CPU time of this process per message (not wall time: the machine may be shared). */
function perMessage(n: number, run: () => void): number {
  const t0 = process.cpuUsage();
  run();
  const t = process.cpuUsage(t0);
  return ((t.user + t.system) * 1000) / n;
}

function once(size: number, n: number): SessionBenchResult {
  const frame = maskedFrame(size);
  const engine = new Connection({ role: 'server', maxMessageSize: 1 << 20, frameEvents: false });
  let sink = 0;
  const engineNs = perMessage(n, () => {
    for (let i = 0; i < n; i++) {
      engine.receiveData(asRead(frame));
      for (const e of engine.events()) if (e.kind === 'message') engine.sendBinary(e.data as Uint8Array);
      sink += engine.dataToSend().length;
    }
  });

  const wire: Wire = {
    write: (chunks) => void (sink += chunks.length),
    bufferedAmount: 0,
    end() {},
    destroy() {},
  };
  const session = new Session({
    connection: new Connection({ role: 'server', maxMessageSize: 1 << 20, frameEvents: false }),
    service: createEchoService(),
    wire,
    id: 'c1',
    path: '/echo',
    protocol: '',
    query: new URLSearchParams(),
    remote: 'bench',
    timers,
    now: Date.now,
  });
  session.start();
  const sessionNs = perMessage(n, () => {
    for (let i = 0; i < n; i++) session.receive(asRead(frame));
  });
  session.terminate();

  const receiver = new Receiver({ isServer: true, binaryType: 'nodebuffer', maxPayload: 1 << 20 });
  const fakeSocket = { write: () => void sink++, cork() {}, uncork() {} };
  const sender = new Sender(fakeSocket as unknown as ConstructorParameters<typeof Sender>[0]);
  receiver.on('message', (data: Buffer, isBinary: boolean) =>
    sender.send(data, { binary: isBinary, fin: true, mask: false, compress: false }),
  );
  const wsFrame = Buffer.from(frame);
  const wsNs = perMessage(n, () => {
    for (let i = 0; i < n; i++) receiver.write(Buffer.from(wsFrame));
  });
  if (sink < 0) console.log(sink);
  return { size, engineNs, sessionNs, wsNs };
}

export function runSessionBench(sizes = [64, 16 * 1024], rounds = 5): SessionBenchResult[] {
  installNativeMask(); // as the server does (bufferutil's mask, when installed)
  installFrameSlabs(); // and unzeroed slabs for big arrays written in full
  return sizes.map((size) => {
    const n = size <= 1024 ? 500_000 : 20_000;
    let best: SessionBenchResult | undefined;
    for (let r = 0; r < rounds; r++) {
      const x = once(size, n);
      best = best
        ? {
            size,
            engineNs: Math.min(best.engineNs, x.engineNs),
            sessionNs: Math.min(best.sessionNs, x.sessionNs),
            wsNs: Math.min(best.wsNs, x.wsNs),
          }
        : x;
    }
    return best as SessionBenchResult;
  });
}

export function formatSessionBench(results: SessionBenchResult[]): string {
  const lines = ['echo per message without sockets (best of 5; CPU ns per message)'];
  for (const r of results) {
    const size = r.size >= 1024 ? `${r.size / 1024} KiB` : `${r.size} B`;
    lines.push(
      `  ${size.padEnd(7)} engine ${r.engineNs.toFixed(0).padStart(6)}  session+engine ${r.sessionNs.toFixed(0).padStart(6)}  ws + bufferutil Receiver+Sender ${r.wsNs.toFixed(0).padStart(6)}` +
        `  ratio ws/ours ${(r.wsNs / r.sessionNs).toFixed(2)}x (session overhead ${(r.sessionNs - r.engineNs).toFixed(0)} ns)`,
    );
  }
  return lines.join('\n');
}

if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(formatSessionBench(runSessionBench()));
}
