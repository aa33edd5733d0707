/**
 * Server benchmark: echo round trips with 50 concurrent `ws` clients, 64 B and 16 KiB
 * messages, against our server (app/server) and a `ws` WebSocketServer echo, each started the
 * same way (a child process on 127.0.0.1, port 0) in the same run. Each client sends one
 * message, waits for its echo, and repeats, for a fixed time. ws runs in both configurations,
 * each in its own child: pure JavaScript (started with WS_NO_BUFFER_UTIL=1 and
 * WS_NO_UTF_8_VALIDATE=1) and with bufferutil (bench/ws-variants.ts). Prints round trips per second,
 * p50/p99 latency, the server process's CPU time per message, and the ratios ours / ws.
 *
 * The load generator must not be the bottleneck, or msg/s measures it instead of the servers
 * (with 2 cores, 50 `ws` clients masking 16 KiB in JavaScript for every send cost more CPU
 * than either server, and a server that idles more then makes each client write pay to wake
 * it). So each client opens its connection with `ws`, builds one masked frame with ws's own
 * Sender.frame (a random key per client), and writes those bytes to its socket for every
 * message; ws's client still parses every echo. The servers see what a browser sends, masked
 * payloads included, and do all their usual work. Each figure is the median of `rounds` runs
 * (5 by default), ours and ws alternating.
 *
 * Compressed echo (RFC 7692): the same, with permessage-deflate agreed on every connection
 * (ours accepts it by default; ws with perMessageDeflate on), 4 KiB JSON-like text messages,
 * each compressed once by the client on its own (a fresh window, so the same bytes may be sent
 * again); both servers inflate every message and deflate every echo.
 *
 *   npx tsx bench/server.ts [--seconds 3] [--clients 50]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { constants, deflateRawSync } from 'node:zlib';
import type { Socket } from 'node:net';
import { Sender, WebSocket } from 'ws';
import { WS_LABELS, WS_VARIANTS, wsEnv, type WsVariant } from './ws-variants.ts';

const CHILD = fileURLToPath(new URL('./server-child.ts', import.meta.url));

export interface ServerBenchOptions {
  seconds?: number;
  clients?: number;
  sizes?: number[];
  /** Runs per server and size, alternating ours and ws (each figure's median is reported). */
  rounds?: number;
}

type Kind = 'ours' | WsVariant;
const KINDS: readonly Kind[] = ['ours', ...WS_VARIANTS];

export interface Figures {
  server: Kind;
  size: number;
  roundTrips: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** The server process's CPU time per round trip (µs): steadier than msg/s on a busy machine. */
  serverCpuUsPerMessage: number;
  /** The server's full (mark-compact) garbage collections per second while measured. */
  serverFullGcsPerSecond: number;
  /** Milliseconds per second the server's main thread spent in GC pauses (full and minor). */
  serverGcMsPerSecond: number;
}

export interface ServerBenchResult {
  size: number;
  ours: Figures;
  ws: Record<WsVariant, Figures>;
}

export async function startChild(
  kind: Kind | 'ws-deflate' | 'classroom',
): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    [
      // The same V8 flags for every server (e.g. WSP_BENCH_NODE_FLAGS=--max-semi-space-size=2).
      ...(process.env.WSP_BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean),
      '--import',
      'tsx',
      CHILD,
      kind === 'ours' || kind === 'classroom' || kind === 'ws-deflate' ? kind : 'ws',
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
      env: kind === 'ours' || kind === 'classroom' || kind === 'ws-deflate' ? process.env : wsEnv(kind),
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /PORT (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`${kind} server exited ${code}`)));
  });
  return { child, port };
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** The child's CPU time so far (user + system), in ms, its full GCs and its GC time so far. */
function cpuMs(child: ChildProcess): Promise<{ ms: number; fullGcs: number; gcMs: number }> {
  return new Promise((resolve) => {
    const on = (m: unknown): void => {
      const { cpu, fullGcs, fullGcMs, minorGcMs } = m as {
        cpu?: { user: number; system: number };
        fullGcs?: number;
        fullGcMs?: number;
        minorGcMs?: number;
      };
      if (!cpu) return;
      child.off('message', on);
      resolve({
        ms: (cpu.user + cpu.system) / 1000,
        fullGcs: fullGcs ?? 0,
        gcMs: (fullGcMs ?? 0) + (minorGcMs ?? 0),
      });
    };
    child.on('message', on);
    child.send('cpu');
  });
}

/** One binary message of `size` bytes as a client sends it: masked, with a random key (§5.3). */
function maskedFrame(size: number): Buffer {
  const key = randomBytes(4);
  const parts = Sender.frame(Buffer.alloc(size, 0x61), {
    fin: true,
    opcode: 0x2,
    mask: true,
    readOnly: false,
    rsv1: false,
    generateMask: (mask) => void key.copy(mask),
  });
  return Buffer.concat(parts);
}

/** A text message of `size` bytes that compresses as chat or JSON traffic does. */
function compressibleText(size: number): Buffer {
  let text = '';
  for (let i = 0; text.length < size; i++)
    text += JSON.stringify({
      id: i,
      user: `learner${i % 7}`,
      text: `message number ${i * 37}`,
      t: 1732170000000 + i,
    });
  return Buffer.from(text.slice(0, size));
}

/**
 * RFC 7692 7.2.1: the message compressed on its own (a fresh window), sync-flushed and its tail
 * 00 00 ff ff removed, in one masked text frame with RSV1.
 */
function compressedFrame(size: number): Buffer {
  const deflated = deflateRawSync(compressibleText(size), { finishFlush: constants.Z_SYNC_FLUSH });
  const key = randomBytes(4);
  const parts = Sender.frame(deflated.subarray(0, deflated.length - 4), {
    fin: true,
    opcode: 0x1,
    mask: true,
    readOnly: false,
    rsv1: true,
    generateMask: (mask) => void key.copy(mask),
  });
  return Buffer.concat(parts);
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

async function drive(
  server: Kind,
  child: ChildProcess,
  port: number,
  size: number,
  clients: number,
  seconds: number,
  compressed = false,
): Promise<Figures> {
  const url = server === 'ours' ? `ws://127.0.0.1:${port}/echo` : `ws://127.0.0.1:${port}/`;
  const sockets = await Promise.all(
    Array.from(
      { length: clients },
      () =>
        new Promise<WebSocket>((resolve, reject) => {
          const ws = new WebSocket(url, { perMessageDeflate: compressed ? { threshold: 0 } : false });
          ws.once('open', () => resolve(ws));
          ws.once('error', reject);
        }),
    ),
  );
  // Preallocated: a growing array of samples would make the clients' process collect garbage
  // mid-run, which shows up as server latency.
  const latencies = new Float64Array(Math.ceil(seconds * 1_000_000));
  let count = 0;
  let measuring = false;
  let running = true;
  const loops = sockets.map(
    (ws) =>
      new Promise<void>((resolve) => {
        let sentAt = 0;
        const frame = compressed ? compressedFrame(size) : maskedFrame(size);
        // ws keeps its socket private; the frame bytes go to it directly (see the top).
        const socket = (ws as unknown as { _socket: Socket })._socket;
        const sendOne = (): void => {
          sentAt = performance.now();
          socket.write(frame);
        };
        ws.on('message', () => {
          if (measuring && count < latencies.length) latencies[count++] = performance.now() - sentAt;
          if (running) sendOne();
          else resolve();
        });
        ws.once('close', () => resolve());
        sendOne();
      }),
  );
  await new Promise((r) => setTimeout(r, 500)); // warm-up
  const cpu0 = await cpuMs(child);
  measuring = true;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  measuring = false;
  const elapsed = (performance.now() - t0) / 1000;
  const cpu1 = await cpuMs(child);
  const cpu = cpu1.ms - cpu0.ms;
  running = false;
  await Promise.race([Promise.all(loops), new Promise((r) => setTimeout(r, 2_000))]);
  for (const ws of sockets) ws.terminate();
  const sorted = latencies.subarray(0, count).sort();
  return {
    server,
    size,
    roundTrips: count,
    perSecond: count / elapsed,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    serverCpuUsPerMessage: (cpu * 1000) / Math.max(1, count),
    serverFullGcsPerSecond: (cpu1.fullGcs - cpu0.fullGcs) / elapsed,
    serverGcMsPerSecond: (cpu1.gcMs - cpu0.gcMs) / elapsed,
  };
}

/**
 * Each figure's median over the rounds (a 2-core machine has good and bad seconds; the median
 * is steadier than the best, and favours neither server).
 */
function median(runs: Figures[]): Figures {
  const mid = (values: number[]): number => {
    const sorted = [...values].sort((a, b) => a - b);
    const m = sorted.length >> 1;
    return sorted.length % 2 === 1 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2;
  };
  const first = runs[0]!;
  return {
    server: first.server,
    size: first.size,
    roundTrips: mid(runs.map((f) => f.roundTrips)),
    perSecond: mid(runs.map((f) => f.perSecond)),
    p50Ms: mid(runs.map((f) => f.p50Ms)),
    p99Ms: mid(runs.map((f) => f.p99Ms)),
    serverCpuUsPerMessage: mid(runs.map((f) => f.serverCpuUsPerMessage)),
    serverFullGcsPerSecond: mid(runs.map((f) => f.serverFullGcsPerSecond)),
    serverGcMsPerSecond: mid(runs.map((f) => f.serverGcMsPerSecond)),
  };
}

export async function runServerBench(options: ServerBenchOptions = {}): Promise<ServerBenchResult[]> {
  const seconds = options.seconds ?? 3;
  const clients = options.clients ?? 50;
  const sizes = options.sizes ?? [64, 16 * 1024];
  const rounds = options.rounds ?? 5;
  const results: ServerBenchResult[] = [];
  for (const size of sizes) {
    // Fresh server processes for each size, so one case's heap and allocator state do not
    // colour the next (after the 64 B run, perf showed ours paying page faults for 16 KiB reads
    // as glibc trimmed and regrew its heap: ~27 us per echo instead of ~16).
    const children = {} as Record<Kind, { child: ChildProcess; port: number }>;
    try {
      for (const kind of KINDS) children[kind] = await startChild(kind);
      const runs = Object.fromEntries(KINDS.map((k) => [k, [] as Figures[]])) as Record<Kind, Figures[]>;
      for (let r = 0; r < rounds; r++) {
        // Rotate the order so none always runs on a warmer machine.
        const order = KINDS.map((_, i) => KINDS[(i + r) % KINDS.length]!);
        for (const kind of order) {
          const { child, port } = children[kind];
          runs[kind].push(await drive(kind, child, port, size, clients, seconds));
        }
      }
      const ws = {} as Record<WsVariant, Figures>;
      for (const v of WS_VARIANTS) ws[v] = median(runs[v]);
      results.push({ size, ours: median(runs.ours), ws });
    } finally {
      await Promise.all(Object.values(children).map((c) => stopChild(c.child)));
    }
  }
  return results;
}

export interface DeflateBenchResult {
  size: number;
  /** The compressed frame a client sends, header included. */
  wireBytes: number;
  ours: Figures;
  ws: Figures;
}

/** The compressed echo: ours against ws with perMessageDeflate on, medians of the rounds. */
export async function runDeflateBench(options: ServerBenchOptions = {}): Promise<DeflateBenchResult> {
  const seconds = options.seconds ?? 3;
  const clients = options.clients ?? 50;
  const rounds = options.rounds ?? 5;
  const size = 4096;
  const ours = await startChild('ours');
  const ws = await startChild('ws-deflate');
  try {
    const runs = { ours: [] as Figures[], ws: [] as Figures[] };
    for (let r = 0; r < rounds; r++) {
      // Alternating order. The ws-deflate child runs with the default environment, so ws uses
      // bufferutil as deployed: its figures carry that variant's kind ('ws-native'), which also
      // makes drive() address ws's root path.
      const pair = r % 2 === 0 ? (['ours', 'ws'] as const) : (['ws', 'ours'] as const);
      for (const k of pair) {
        const { child, port } = k === 'ours' ? ours : ws;
        runs[k].push(
          await drive(k === 'ours' ? 'ours' : 'ws-native', child, port, size, clients, seconds, true),
        );
      }
    }
    return { size, wireBytes: compressedFrame(size).length, ours: median(runs.ours), ws: median(runs.ws) };
  } finally {
    await Promise.all([stopChild(ours.child), stopChild(ws.child)]);
  }
}

export function formatDeflateBench(r: DeflateBenchResult, clients = 50): string {
  const f = (x: Figures): string =>
    `${Math.round(x.perSecond).toLocaleString('en-US').padStart(8)} msg/s  p50 ${x.p50Ms.toFixed(2)} ms  p99 ${x.p99Ms.toFixed(2)} ms  server CPU ${x.serverCpuUsPerMessage.toFixed(1)} µs/msg  full GC ${x.serverFullGcsPerSecond.toFixed(1)}/s  GC ${x.serverGcMsPerSecond.toFixed(0)} ms/s`;
  return [
    `compressed echo (permessage-deflate both ways), ${clients} clients: ${r.size} B of JSON-like text, ${r.wireBytes} B on the wire from each client`,
    `  ours                          ${f(r.ours)}`,
    `  ws + perMessageDeflate        ${f(r.ws)}`,
    `  ours vs ws + perMessageDeflate: throughput ${(r.ours.perSecond / r.ws.perSecond).toFixed(2)}x, ` +
      `p99 ${(r.ws.p99Ms / r.ours.p99Ms).toFixed(2)}x, CPU per message ${(r.ws.serverCpuUsPerMessage / r.ours.serverCpuUsPerMessage).toFixed(2)}x (> 1: ours better)`,
  ].join('\n');
}

export function formatServerBench(results: ServerBenchResult[], clients = 50): string {
  const lines = [
    `echo round trips, ${clients} concurrent clients, loopback (servers in child processes; medians of the rounds)`,
  ];
  for (const r of results) {
    const f = (x: Figures): string =>
      `${Math.round(x.perSecond).toLocaleString('en-US').padStart(8)} msg/s  p50 ${x.p50Ms.toFixed(2)} ms  p99 ${x.p99Ms.toFixed(2)} ms  server CPU ${x.serverCpuUsPerMessage.toFixed(1)} µs/msg  full GC ${x.serverFullGcsPerSecond.toFixed(1)}/s  GC ${x.serverGcMsPerSecond.toFixed(0)} ms/s`;
    const size = r.size >= 1024 ? `${r.size / 1024} KiB` : `${r.size} B`;
    const width = Math.max(4, ...WS_VARIANTS.map((v) => WS_LABELS[v].length));
    lines.push(`  ${size.padEnd(7)} ${'ours'.padEnd(width)} ${f(r.ours)}`);
    for (const v of WS_VARIANTS) lines.push(`  ${''.padEnd(7)} ${WS_LABELS[v].padEnd(width)} ${f(r.ws[v])}`);
    for (const v of WS_VARIANTS) {
      const w = r.ws[v];
      lines.push(
        `  ${''.padEnd(7)} ours vs ${WS_LABELS[v]}: throughput ${(r.ours.perSecond / w.perSecond).toFixed(2)}x, ` +
          `p99 ${(w.p99Ms / r.ours.p99Ms).toFixed(2)}x, CPU per message ${(w.serverCpuUsPerMessage / r.ours.serverCpuUsPerMessage).toFixed(2)}x (> 1: ours better)`,
      );
    }
  }
  return lines.join('\n');
}

const isMain =
  process.argv[1] !== undefined &&
  fileURLToPath(import.meta.url) === (await import('node:fs')).realpathSync(process.argv[1]);
if (isMain) {
  const { parseArgs } = await import('node:util');
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string' },
      clients: { type: 'string' },
      rounds: { type: 'string' },
      sizes: { type: 'string' },
      'no-deflate': { type: 'boolean' },
    },
  });
  const clients = Number(values.clients ?? 50);
  const results = await runServerBench({
    seconds: Number(values.seconds ?? 3),
    clients,
    rounds: Number(values.rounds ?? 5),
    ...(values.sizes ? { sizes: values.sizes.split(',').map(Number) } : {}),
  });
  console.log(formatServerBench(results, clients));
  if (values['no-deflate']) process.exit(0);
  const options = { seconds: Number(values.seconds ?? 3), clients, rounds: Number(values.rounds ?? 5) };
  console.log(formatDeflateBench(await runDeflateBench(options), clients));
}
