/**
 * Time for the virtual network: a clock, timers and a task queue, injected everywhere so unit
 * tests (and lessons that want stable screenshots) can run the network on manual time.
 *
 * `queueTask` is a macrotask, as the HTML event loop means it: a socket's events are each
 * dispatched from their own task, so promise callbacks (microtasks) run between two events,
 * exactly as with the browser's own WebSocket.
 */
import type { TimerId, Timers } from '../services/service.ts';

export interface Scheduler extends Timers {
  /** Milliseconds since the epoch (wire events carry it as `t`). */
  now(): number;
  /** Runs `fn` in a later task, after every task queued before it. Never synchronously. */
  queueTask(fn: () => void): void;
}

/**
 * The page's own timers. Tasks go through a MessageChannel: unlike nested setTimeout(0), they
 * are not clamped to 4 ms, so a flood of messages is delivered at full speed.
 */
export function browserScheduler(): Scheduler {
  let queueTask: (fn: () => void) => void;
  const g = globalThis as {
    MessageChannel?: typeof MessageChannel;
    document?: unknown;
    setImmediate?: (fn: () => void) => unknown;
  };
  if (typeof g.MessageChannel === 'function' && g.document !== undefined) {
    const channel = new g.MessageChannel();
    const queue: Array<() => void> = [];
    channel.port1.onmessage = () => {
      const fn = queue.shift();
      if (fn) fn();
    };
    queueTask = (fn) => {
      queue.push(fn);
      channel.port2.postMessage(null);
    };
  } else if (typeof g.setImmediate === 'function') {
    // Node (tests without a manual scheduler): setImmediate keeps order and is not clamped.
    const setImmediate = g.setImmediate;
    queueTask = (fn) => void setImmediate(fn);
  } else {
    queueTask = (fn) => void setTimeout(fn, 0);
  }
  return {
    now: () => Date.now(),
    queueTask,
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (id) => clearTimeout(id as ReturnType<typeof setTimeout>),
    setInterval: (fn, ms) => setInterval(fn, ms),
    clearInterval: (id) => clearInterval(id as ReturnType<typeof setInterval>),
  };
}

interface ManualTimer {
  id: number;
  at: number;
  seq: number;
  fn: () => void;
  every: number | undefined;
}

/**
 * Manual time, for tests: nothing runs until `runTasks()`, `advance(ms)` or `runAll()`.
 * Timers due at the same time run in the order they were set; a task is a timer due now.
 */
export class ManualScheduler implements Scheduler {
  #now: number;
  #seq = 0;
  #nextId = 1;
  #timers = new Map<number, ManualTimer>();

  constructor(start = 1_700_000_000_000) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  queueTask(fn: () => void): void {
    this.#add(fn, 0, undefined);
  }

  setTimeout(fn: () => void, ms: number): TimerId {
    return this.#add(fn, ms, undefined);
  }

  clearTimeout(id: TimerId): void {
    this.#timers.delete(id as number);
  }

  setInterval(fn: () => void, ms: number): TimerId {
    return this.#add(fn, ms, Math.max(1, ms));
  }

  clearInterval(id: TimerId): void {
    this.#timers.delete(id as number);
  }

  /** Timers and tasks still waiting. */
  get pending(): number {
    return this.#timers.size;
  }

  /** Runs everything due now (including tasks those queue), without moving the clock. */
  runTasks(): void {
    this.advance(0);
  }

  /** Moves the clock forward by `ms`, running every timer that falls due on the way, in order. */
  advance(ms: number): void {
    const until = this.#now + ms;
    for (let next = this.#next(); next && next.at <= until; next = this.#next()) {
      this.#now = Math.max(this.#now, next.at);
      this.#fire(next);
    }
    this.#now = until;
  }

  /** Runs until nothing is left (intervals would never end: bounded by `limitMs`). */
  runAll(limitMs = 60_000): void {
    const until = this.#now + limitMs;
    for (let next = this.#next(); next && next.at <= until; next = this.#next()) {
      this.#now = Math.max(this.#now, next.at);
      this.#fire(next);
    }
  }

  #fire(t: ManualTimer): void {
    if (t.every === undefined) this.#timers.delete(t.id);
    else {
      t.at += t.every;
      t.seq = this.#seq++;
    }
    t.fn();
  }

  #next(): ManualTimer | undefined {
    let best: ManualTimer | undefined;
    for (const t of this.#timers.values()) {
      if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    return best;
  }

  #add(fn: () => void, ms: number, every: number | undefined): number {
    const id = this.#nextId++;
    this.#timers.set(id, { id, at: this.#now + Math.max(0, ms), seq: this.#seq++, fn, every });
    return id;
  }
}
