/**
 * The learner's `console`. Lines leave the worker at once while it is quiet (so what was printed
 * just before a `while (true) {}` is already on its way: a message posted from a worker is
 * delivered even if the worker then never yields) and in batches when it floods, so a flood
 * costs the page little. Uncaught errors are printed here too, with editor lines (stack.ts).
 */
import type { ConsoleEntry, ConsoleLevel, WorkerMessage } from '../protocol.ts';
import type { StackMapper } from './stack.ts';

export interface ConsoleDeps {
  post(m: WorkerMessage): void;
  /** Formats console arguments as the page shows them (format.ts). */
  format(args: readonly unknown[]): string;
  stack: StackMapper;
  /** Epoch milliseconds, for the entries' time stamps. */
  now(): number;
  /** A monotonic clock in milliseconds (performance.now), for the rate window and console.time. */
  clock(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

export interface SandboxConsole {
  /** The object learner code gets as `console`. */
  console: LearnerConsole;
  emit(level: ConsoleLevel, args: readonly unknown[]): void;
  /** Sends whatever is waiting now (before the worker may end). */
  flush(): void;
  /** Prints an error nobody caught, pointing at its editor line (or `fallbackLine`). */
  reportUncaught(error: unknown, prefix?: string, fallbackLine?: number): void;
}

/** console.log, .warn, .group, .count, .time, ...: what the learner's code calls. */
export type LearnerConsole = ReturnType<typeof learnerConsole>;

export function createSandboxConsole(deps: ConsoleDeps): SandboxConsole {
  /** Lines waiting for the next flush; beyond this the oldest are dropped and counted. */
  const MAX_PENDING = 1000;
  /**
   * The console's rate window (ms). Within one window the first few lines each leave the worker
   * at once (a line printed just before a `while (true) {}` is already on its way: a message
   * posted from a worker is delivered even if the worker then never yields); beyond that the
   * output is batched into one message per window, so a flood costs the page little.
   */
  const FLUSH_MS = 30;
  /** Messages per window that go out at once, before batching starts. */
  const EAGER_PER_WINDOW = 8;
  let pending: ConsoleEntry[] = [];
  let dropped = 0;
  let flushTimer: unknown = 0;
  let windowStart = -Infinity;
  let postsInWindow = 0;
  let groupDepth = 0;

  /** Starts a new rate window when the current one is over. */
  const roll = (at: number): void => {
    if (at - windowStart >= FLUSH_MS) {
      windowStart = at;
      postsInWindow = 0;
    }
  };
  const flush = (): void => {
    if (flushTimer) deps.clearTimeout(flushTimer);
    flushTimer = 0;
    if (pending.length === 0 && dropped === 0) return;
    roll(deps.clock());
    postsInWindow++;
    const entries = pending;
    pending = [];
    deps.post({ kind: 'console', entries, dropped });
    dropped = 0;
  };
  const push = (entry: ConsoleEntry): void => {
    if (groupDepth > 0) entry.indent = groupDepth;
    pending.push(entry);
    if (pending.length > MAX_PENDING) {
      pending.shift();
      dropped++;
    }
    // Decided by the clock, not by a timer, so it works inside a synchronous loop too: while
    // the window's budget lasts each line goes at once; past it, the window's other lines go
    // together when it ends (by the timer if the code yields, else with the first line printed
    // in the next window). So only a flood that then hangs can lose its last window of lines.
    roll(deps.clock());
    if (postsInWindow < EAGER_PER_WINDOW) flush();
    else if (!flushTimer)
      flushTimer = deps.setTimeout(flush, Math.max(0, windowStart + FLUSH_MS - deps.clock()));
  };
  const emit = (level: ConsoleLevel, args: readonly unknown[]): void => {
    let text: string;
    try {
      text = deps.format(args.map((a) => (a instanceof Error ? deps.stack.mapError(a).text : a)));
    } catch (error) {
      text = `(could not format: ${String(error)})`;
    }
    push({ level, at: deps.now(), text });
  };

  const sandboxConsole = learnerConsole({
    emit,
    trace: () => deps.stack.mapStack(new Error().stack ?? ''),
    format: deps.format,
    clock: deps.clock,
    indent: (delta) => {
      groupDepth = Math.max(0, groupDepth + delta);
    },
    clear: () => {
      pending = [];
      push({ level: 'system', at: deps.now(), text: 'console.clear()' });
    },
  });

  const reportUncaught = (error: unknown, prefix = 'Uncaught', fallbackLine?: number): void => {
    const m = deps.stack.mapError(error);
    const line = m.line ?? fallbackLine;
    push({
      level: 'error',
      at: deps.now(),
      text: `${prefix} ${m.text}`,
      ...(line !== undefined ? { line } : {}),
    });
  };

  return { console: sandboxConsole, emit, flush, reportUncaught };
}

interface ConsoleIo {
  emit(level: ConsoleLevel, args: readonly unknown[]): void;
  /** The stack where console.trace() was called, in editor lines. */
  trace(): string;
  format(args: readonly unknown[]): string;
  clock(): number;
  /** console.group (+1) and groupEnd (-1). */
  indent(delta: number): void;
  clear(): void;
}

/** The console's methods, over what the sandbox does with a line. */
function learnerConsole(io: ConsoleIo) {
  const counts = new Map<string, number>();
  const timers = new Map<string, number>();
  const c = {
    log: (...a: unknown[]) => io.emit('log', a),
    info: (...a: unknown[]) => io.emit('info', a),
    warn: (...a: unknown[]) => io.emit('warn', a),
    error: (...a: unknown[]) => io.emit('error', a),
    debug: (...a: unknown[]) => io.emit('debug', a),
    trace: (...a: unknown[]) => {
      const stack = io.trace().split('\n').slice(1).join('\n');
      io.emit('log', [io.format(['Trace:', ...a]) + (stack ? '\n' + stack : '')]);
    },
    dir: (o: unknown) => io.emit('log', [o]),
    dirxml: (...a: unknown[]) => io.emit('log', a),
    table: (o: unknown) => io.emit('log', [o]),
    assert: (condition: unknown, ...a: unknown[]) => {
      if (!condition) io.emit('error', a.length ? ['Assertion failed:', ...a] : ['Assertion failed']);
    },
    group: (...a: unknown[]) => {
      if (a.length) io.emit('log', a);
      io.indent(1);
    },
    groupCollapsed: (...a: unknown[]) => c.group(...a),
    groupEnd: () => io.indent(-1),
    count: (label = 'default') => {
      const n = (counts.get(label) ?? 0) + 1;
      counts.set(label, n);
      io.emit('log', [`${label}: ${n}`]);
    },
    countReset: (label = 'default') => void counts.delete(label),
    time: (label = 'default') => void timers.set(label, io.clock()),
    timeLog: (label = 'default', ...a: unknown[]) => {
      const start = timers.get(label);
      if (start === undefined) return io.emit('warn', [`Timer '${label}' does not exist`]);
      io.emit('log', [`${label}: ${(io.clock() - start).toFixed(3)} ms`, ...a]);
    },
    timeEnd: (label = 'default') => {
      c.timeLog(label);
      timers.delete(label);
    },
    clear: () => io.clear(),
  };
  return c;
}
