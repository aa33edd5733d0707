/**
 * Codec benchmark: our engine against the `ws` package in the same process.
 *
 *   npx tsx bench/codec.ts [filter] [--wall]    (or through bench/run.ts: runCodecBench())
 *
 * `filter` keeps the tasks whose name contains it (e.g. `Connection`, `decode`). Time is the
 * process's CPU time (user + system, all its threads, GC helpers included) by default: on a
 * shared, loaded machine wall time mostly measures how long the scheduler left us waiting,
 * which hits whichever side happens to be running. `--wall` measures wall time instead.
 *
 * Decode: masked client frames (what a server reads) of 16 B, 1 KiB and 64 KiB, delivered in
 * chunks of whole frames (~64 KiB of 16 B / 1 KiB frames; one 64 KiB frame per chunk).
 *   ours  = FrameDecoder + MessageAssembler (frames -> messages, payload unmasked in place in
 *           the chunk, `unmaskInPlace`), the same work ws's Receiver does; then the full Connection.receiveData + events(): with
 *           its default 'frame' events (a frame object, its wire bytes and mask key kept per
 *           frame for the inspector, which ws does not do) and with `frameEvents: false`
 *           (messages only: the same output as ws). Each step counts the 'message' events.
 *   ws    = Receiver({ isServer: true }).write(chunk), counting 'message' events.
 * Encode: one masked client frame per call (header + masked payload in one new buffer).
 *   ours  = encodeFrame(frame with maskKey)
 *   ws    = Sender.frame(data, { mask: true, readOnly: true }): also one merged buffer.
 *   Unmasked server frames, two ways: encodeFrame copies the payload into one buffer (what
 *   Connection queues, since the inspector needs the frame's bytes in one piece), while
 *   encodeFrameHeader, like ws, leaves the payload where it is (header + payload for writev).
 * Ours masks as our Node server does: with bufferutil's native mask when it is installed
 * (app/server/mask-kernel.ts; WSP_NO_BUFFER_UTIL=1 keeps the engine's TypeScript loops).
 * Each case warms up, then runs for a fixed time. Binary frames, so the bytes ws unmasks in
 * place (it mutates its input) stay valid frames. Not a test: nothing passes or fails.
 */
import type * as WsModule from 'ws';
import { Connection } from '../app/protocol/connection.ts';
import { FrameDecoder } from '../app/protocol/decoder.ts';
import { encodeFrame, encodeFrameHeader } from '../app/protocol/frame.ts';
import { applyMask, maskKernel, useMaskKernel } from '../app/protocol/mask.ts';
import { installNativeMask } from '../app/server/mask-kernel.ts';
import { installFrameSlabs } from '../app/server/frame-slabs.ts';
import { MessageAssembler } from '../app/protocol/message.ts';
import type { Frame } from '../app/protocol/types.ts';
import { loadWs, WS_LABELS, WS_VARIANTS, wsVersion, type WsVariant } from './ws-variants.ts';

type Ws = typeof WsModule;

const WARMUP_MS = 300;
/** Ours and ws run in alternating slices, so load from other processes hits both alike. */
const ROUNDS = 7;
const SLICE_MS = 150;
const KEY = Uint8Array.of(0x37, 0xfa, 0x21, 0x3d);
const SIZES: Array<[string, number]> = [
  ['16 B', 16],
  ['1 KiB', 1024],
  ['64 KiB', 65536],
];

/** Something to measure: `step()` handles `frames` frames of `size` payload bytes. */
interface Case {
  frames: number;
  size: number;
  step: () => void;
  /** Throws if the work was not really done. */
  verify?: (framesRun: number) => void;
}

interface Rate {
  /** median frames per second over the rounds */
  fps: number;
  mbps: number;
}

export type Clock = 'cpu' | 'wall';
let clock: Clock = 'cpu';

/** Milliseconds of the chosen clock. */
function now(): number {
  if (clock === 'wall') return performance.now();
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function slice(c: Case, ms: number): number {
  let frames = 0;
  const start = now();
  let t = start;
  while (t - start < ms) {
    for (let i = 0; i < 4; i++) c.step();
    frames += c.frames * 4;
    t = now();
  }
  return frames / ((t - start) / 1000);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
};

/**
 * Warms each up, then alternates ROUNDS slices of ours and each ws configuration; medians of
 * the rates and of the per-round ratios ours / ws.
 */
function compare(ours: Case, ws: Record<WsVariant, Case>): Omit<Row, 'task' | 'size'> {
  const cases = [ours, ...WS_VARIANTS.map((v) => ws[v])];
  for (const c of cases) slice(c, WARMUP_MS);
  const rates: number[][] = cases.map(() => []);
  for (let r = 0; r < ROUNDS; r++) cases.forEach((c, i) => rates[i]!.push(slice(c, SLICE_MS)));
  const rate = (xs: number[], size: number): Rate => ({ fps: median(xs), mbps: (median(xs) * size) / 1e6 });
  const [a, ...others] = rates;
  const wsRates = {} as Record<WsVariant, Rate>;
  const ratios = {} as Record<WsVariant, number>;
  WS_VARIANTS.forEach((v, i) => {
    const b = others[i]!;
    wsRates[v] = rate(b, ws[v].size);
    ratios[v] = median(a!.map((x, j) => x / b[j]!));
  });
  return { ours: rate(a!, ours.size), ws: wsRates, ratio: ratios };
}

function payloadOf(size: number): Uint8Array {
  return Uint8Array.from({ length: size }, (_, i) => (i * 31 + 7) & 0xff);
}

function maskedFrame(size: number, opcode = 0x2): Frame {
  return {
    fin: true,
    rsv1: false,
    rsv2: false,
    rsv3: false,
    opcode,
    payload: opcode === 0x1 ? textOf(size) : payloadOf(size),
    maskKey: KEY,
  };
}

/** `size` bytes of UTF-8 text, mostly ASCII with 2-, 3- and 4-byte characters, ending whole. */
function textOf(size: number): Uint8Array {
  const unit = new TextEncoder().encode('WebSocket frames: héllo wörld, 日本語, 😀. ');
  const out = new Uint8Array(size).fill(0x20);
  for (let at = 0; at + unit.length <= size; at += unit.length) out.set(unit, at);
  return out;
}

/** A chunk of whole masked frames of `size`, about 64 KiB (at least one frame). */
function chunkOf(size: number, opcode = 0x2): { chunk: Uint8Array; count: number } {
  const one = encodeFrame(maskedFrame(size, opcode));
  const count = Math.max(1, Math.floor(65536 / one.length));
  const chunk = new Uint8Array(one.length * count);
  for (let i = 0; i < count; i++) chunk.set(one, i * one.length);
  return { chunk, count };
}

/**
 * Text (opcode 1): both unmask in place, so each step first restores the masked chunk (the
 * same copy on both sides); both check UTF-8 and make a string of each message (ws:
 * data.toString()). Binary frames stay valid frames when unmasked again, so they need no copy.
 */
function decodeOurs(size: number, opcode = 0x2): Case {
  const { chunk: pristine, count } = chunkOf(size, opcode);
  const chunk = opcode === 0x1 ? pristine.slice() : pristine;
  const assembler = new MessageAssembler({ maxMessageSize: 1 << 30 });
  const decoder = new FrameDecoder({
    role: 'server',
    maxPayload: 1 << 30,
    unmaskInPlace: true,
    onHeader: (h) => assembler.check(h),
  });
  return {
    frames: count,
    size,
    step: () => {
      if (opcode === 0x1) chunk.set(pristine);
      decoder.push(chunk);
      let messages = 0;
      for (;;) {
        const d = decoder.next();
        if (d.kind !== 'frame') {
          if (d.kind === 'error') throw d.error;
          break;
        }
        const m = assembler.push(d.frame);
        if (m.kind === 'message') messages++;
        else if (m.kind === 'error') throw m.error;
      }
      if (messages !== count) throw new Error(`ours decoded ${messages} of ${count}`);
    },
  };
}

function decodeConnection(size: number, frameEvents = true): Case {
  const { chunk, count } = chunkOf(size);
  const c = new Connection({ role: 'server', maxMessageSize: 1 << 30, frameEvents });
  c.events(); // 'open'
  return {
    frames: count,
    size,
    step: () => {
      c.receiveData(chunk);
      let messages = 0;
      for (const e of c.events()) if (e.kind === 'message') messages++;
      if (messages !== count) throw new Error(`Connection decoded ${messages} of ${count}`);
    },
  };
}

function decodeWs(size: number, { Receiver }: Ws, opcode = 0x2): Case {
  const { chunk: pristine, count } = chunkOf(size, opcode);
  const buffer = Buffer.from(pristine);
  const receiver = new Receiver({ isServer: true, maxPayload: 0 });
  let messages = 0;
  receiver.on('message', (data: Buffer, isBinary: boolean) => {
    if (!isBinary && data.toString().length === 0) throw new Error('ws decoded no text');
    messages++;
  });
  receiver.on('error', (e: Error) => {
    throw e;
  });
  return {
    frames: count,
    size,
    step: () => {
      if (opcode === 0x1) buffer.set(pristine);
      messages = 0;
      receiver.write(buffer);
      if (messages !== count) throw new Error(`ws decoded ${messages} of ${count}`);
    },
  };
}

const ENCODE_BATCH = 64;

function encodeOurs(size: number, masked: boolean): Case {
  const frame = maskedFrame(size);
  if (!masked) delete frame.maskKey;
  return {
    frames: ENCODE_BATCH,
    size,
    step: () => {
      let sink = 0;
      for (let i = 0; i < ENCODE_BATCH; i++) sink += encodeFrame(frame).length;
      if (sink < size * ENCODE_BATCH) throw new Error('nothing encoded');
    },
  };
}

function encodeHeaderOurs(size: number): Case {
  const frame = maskedFrame(size);
  delete frame.maskKey;
  return {
    frames: ENCODE_BATCH,
    size,
    step: () => {
      let sink = 0;
      for (let i = 0; i < ENCODE_BATCH; i++) {
        const parts = [encodeFrameHeader(frame), frame.payload];
        sink += parts[0]!.length + parts[1]!.length;
      }
      if (sink < size * ENCODE_BATCH) throw new Error('nothing encoded');
    },
  };
}

function encodeWs(size: number, masked: boolean, { Sender }: Ws): Case {
  const data = Buffer.from(payloadOf(size));
  const options = {
    fin: true,
    opcode: 0x2,
    mask: masked,
    readOnly: true,
    rsv1: false,
    maskBuffer: Buffer.alloc(4),
    generateMask: (m: Buffer): void => m.set(KEY),
  };
  return {
    frames: ENCODE_BATCH,
    size,
    step: () => {
      let sink = 0;
      for (let i = 0; i < ENCODE_BATCH; i++)
        for (const part of Sender.frame(data, options)) sink += part.length;
      if (sink < size * ENCODE_BATCH) throw new Error('nothing encoded');
    },
  };
}

// ---- report ---------------------------------------------------------------------------------

interface Row {
  task: string;
  size: string;
  ours: Rate;
  ws: Record<WsVariant, Rate>;
  /** ours / ws, per configuration (> 1: ours is faster) */
  ratio: Record<WsVariant, number>;
}

function rate(r: Rate): string {
  const f = r.fps >= 1e6 ? `${(r.fps / 1e6).toFixed(2)} M` : `${(r.fps / 1e3).toFixed(1)} k`;
  return `${f} frames/s ${r.mbps.toFixed(0).padStart(6)} MB/s`;
}

function print(rows: Row[]): void {
  const header = [
    'task',
    'size',
    'ours',
    ...WS_VARIANTS.map((v) => WS_LABELS[v]),
    ...WS_VARIANTS.map((v) => `ours/${WS_LABELS[v]}`),
  ];
  const lines = rows.map((row) => [
    row.task,
    row.size,
    rate(row.ours),
    ...WS_VARIANTS.map((v) => rate(row.ws[v])),
    ...WS_VARIANTS.map((v) => `${row.ratio[v].toFixed(2)}x`),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]): string =>
    cells.map((c, i) => (i >= 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  console.log(fmt(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) console.log(fmt(l));
}

export async function runCodecBench(options: { only?: string; clock?: Clock } = {}): Promise<void> {
  clock = options.clock ?? 'cpu';
  const kernel = installNativeMask();
  // As the server runs: big arrays the engine writes in full come from unzeroed slabs.
  installFrameSlabs();
  const ws = { 'ws-js': loadWs('ws-js'), 'ws-native': loadWs('ws-native') } satisfies Record<WsVariant, Ws>;
  console.log(
    `codec: ours vs ws ${wsVersion()} in two configurations loaded side by side (fresh module instances): ` +
      `${WS_LABELS['ws-js']} (WS_NO_BUFFER_UTIL=1 WS_NO_UTF_8_VALIDATE=1) and ${WS_LABELS['ws-native']}; node ${process.version}`,
  );
  console.log(
    `ours masks with ${kernel === 'bufferutil' ? "bufferutil's native mask (payloads >= 256 B)" : 'the TypeScript loops (no native kernel)'}; ` +
      'arrays over 4 KiB it writes in full are carved from unzeroed slabs (app/server/frame-slabs.ts)',
  );
  console.log(
    `median of ${ROUNDS} alternating ${SLICE_MS} ms slices per case (${clock === 'cpu' ? 'process CPU time' : 'wall time'}), after ${WARMUP_MS} ms warm-up; MB/s = payload bytes`,
  );
  const tasks: Array<[string, (size: number) => Case, (size: number, ws: Ws) => Case]> = [
    ['decode masked: FrameDecoder+MessageAssembler vs Receiver', decodeOurs, decodeWs],
    ['decode masked: Connection.receiveData vs Receiver', (n) => decodeConnection(n), decodeWs],
    [
      'decode masked: Connection({ frameEvents: false }) vs Receiver',
      (n) => decodeConnection(n, false),
      decodeWs,
    ],
    [
      'decode masked text (UTF-8 checked, to strings): FrameDecoder+MessageAssembler vs Receiver',
      (n) => decodeOurs(n, 0x1),
      (n, w) => decodeWs(n, w, 0x1),
    ],
    [
      'encode masked: encodeFrame vs Sender.frame',
      (n) => encodeOurs(n, true),
      (n, w) => encodeWs(n, true, w),
    ],
    [
      'encode unmasked: encodeFrame (copies) vs Sender.frame',
      (n) => encodeOurs(n, false),
      (n, w) => encodeWs(n, false, w),
    ],
    [
      'encode unmasked: encodeFrameHeader (no copy) vs Sender.frame',
      encodeHeaderOurs,
      (n, w) => encodeWs(n, false, w),
    ],
  ];
  const rows: Row[] = [];
  for (const [task, ours, wsCase] of tasks) {
    if (options.only !== undefined && !task.includes(options.only)) continue;
    for (const [label, size] of SIZES) {
      const r = compare(ours(size), {
        'ws-js': wsCase(size, ws['ws-js']),
        'ws-native': wsCase(size, ws['ws-native']),
      });
      rows.push({ task, size: label, ...r });
    }
  }
  print(rows);
  if (options.only !== undefined) return;
  // applyMask alone (budget: >= 1 GB/s on 64 KiB), aligned and at an odd address, with the
  // TypeScript loops and with the kernel installed (if any).
  const buf = new Uint8Array(65536 + 8);
  const installed = maskKernel();
  for (const k of installed === undefined ? [undefined] : [undefined, installed]) {
    useMaskKernel(k);
    for (const [label, view] of [
      ['aligned', buf.subarray(0, 65536)],
      ['unaligned (+3)', buf.subarray(3, 65539)],
    ] as const) {
      const fps = slice({ frames: 1, size: 65536, step: () => applyMask(view, KEY) }, 300);
      console.log(
        `applyMask 64 KiB ${label}, ${k === undefined ? 'TypeScript' : 'kernel'}: ${((fps * 65536) / 1e9).toFixed(2)} GB/s`,
      );
    }
  }
  useMaskKernel(installed);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  await runCodecBench({
    only: args.find((a) => !a.startsWith('--')),
    clock: args.includes('--wall') ? 'wall' : 'cpu',
  });
}
