/**
 * One run's console output: a bounded list of entries (the oldest fall off), and subscribers
 * that get each batch as it arrives. The terminal writes batches once per animation frame, so
 * a program printing thousands of lines a second costs one write per frame, not per line.
 */
import type { ConsoleEntry } from '../../sandbox/protocol.ts';
import { droppedNote } from './console-format.ts';

export const CONSOLE_LIMIT = 5_000;

export type ConsoleListener = (batch: readonly ConsoleEntry[], cleared: boolean) => void;

export class ConsoleLog {
  readonly #limit: number;
  #entries: ConsoleEntry[] = [];
  #start = 0;
  #listeners = new Set<ConsoleListener>();
  /** Entries that fell off the front, or that the sandbox dropped. */
  lost = 0;

  constructor(limit = CONSOLE_LIMIT) {
    this.#limit = limit;
  }

  get entries(): readonly ConsoleEntry[] {
    return this.#entries.slice(this.#start);
  }

  get size(): number {
    return this.#entries.length - this.#start;
  }

  append(batch: readonly ConsoleEntry[], dropped = 0): void {
    const add: ConsoleEntry[] = [];
    let cleared = false;
    if (dropped > 0) {
      this.lost += dropped;
      add.push(droppedNote(dropped, batch[0]?.at ?? Date.now()));
    }
    for (const e of batch) {
      if (e.level === 'system' && e.text === 'console.clear()') {
        this.#entries = [];
        this.#start = 0;
        add.length = 0;
        cleared = true;
      }
      add.push(e);
    }
    this.#entries.push(...add);
    const over = this.size - this.#limit;
    if (over > 0) {
      this.#start += over;
      this.lost += over;
      // Compact now and then, so the array does not grow for ever.
      if (this.#start > this.#limit) {
        this.#entries = this.#entries.slice(this.#start);
        this.#start = 0;
      }
    }
    for (const fn of this.#listeners) fn(add, cleared);
  }

  /** Gets every new batch; returns unsubscribe. */
  subscribe(fn: ConsoleListener): () => void {
    this.#listeners.add(fn);
    return () => void this.#listeners.delete(fn);
  }

  clear(): void {
    this.#entries = [];
    this.#start = 0;
    for (const fn of this.#listeners) fn([], true);
  }
}
