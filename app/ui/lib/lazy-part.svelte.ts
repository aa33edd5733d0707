/**
 * A part of the page that loads on demand (its chunk is a dynamic import): starts once, says
 * while it loads, and when the chunk fails keeps a specific message and lets `start` try again.
 */
import { importWithRetry, loadFailure } from './lazy.ts';

export class LazyPart<T> {
  status = $state<'idle' | 'loading' | 'ready' | 'failed'>('idle');
  /** Why the last load failed ('' unless failed). */
  error = $state('');
  /** The part once loaded: a view shown again renders it at once, without waiting a tick. */
  current: T | undefined = $state.raw();
  #loading: Promise<T | undefined> | undefined;
  readonly #what: string;
  readonly #load: () => Promise<T>;
  readonly #delays: readonly number[] | undefined;

  /** `what` names the part in messages ("The code area"); `load` is its dynamic import. */
  constructor(what: string, load: () => Promise<T>, delays?: readonly number[]) {
    this.#what = what;
    this.#load = load;
    this.#delays = delays;
  }

  /** Loads the part (once; again after a failure); resolves to it, or undefined if it failed. */
  start(): Promise<T | undefined> {
    if (this.#loading) return this.#loading;
    this.status = 'loading';
    this.error = '';
    this.#loading = importWithRetry(this.#load, this.#delays).then(
      (part) => {
        this.current = part;
        this.status = 'ready';
        return part;
      },
      (error: unknown) => {
        this.#loading = undefined; // the next start tries again
        this.status = 'failed';
        this.error = loadFailure(this.#what, error);
        return undefined;
      },
    );
    return this.#loading;
  }
}
