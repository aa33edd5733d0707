/**
 * A lesson's walkthrough as code (`lessons/NN-slug/play.ts`): what a learner does for the start
 * (usually nothing) and for the solution, written once against `PlayLab` and run in two places:
 * in Vitest on a recorded loopback (recorder.ts; virtual time), and in the real page in either
 * mode (the player's dev hook; real time), where the lesson's checks read the real wire.
 */

import type { WireEvent } from '../protocol/types.ts';
import type { HttpRecord } from './types.ts';

/** The part of the browser's WebSocket a walkthrough may use. */
export type PlaySocket = Pick<
  WebSocket,
  'readyState' | 'protocol' | 'extensions' | 'bufferedAmount' | 'url' | 'send' | 'close' | 'addEventListener'
> & {
  binaryType: BinaryType;
  onopen: ((ev: Event) => unknown) | null;
  onmessage: ((ev: MessageEvent) => unknown) | null;
  onclose: ((ev: CloseEvent) => unknown) | null;
  onerror: ((ev: Event) => unknown) | null;
};

export interface PlayLab {
  /** Opens a bundled endpoint ('/echo', '/close?code=4000') as the lab's Connect does. */
  open(path: string, protocols?: string[]): PlaySocket;
  /** Lets `ms` of time pass (virtual in Vitest, real in the page). */
  wait(ms: number): Promise<void>;
  /** Waits until `done()` holds (checked as time passes), at most `ms`; throws if it never does. */
  until(done: () => boolean, ms?: number): Promise<void>;
  /** Keeps a value as a decode widget would (`trace.inputs[name]`). */
  input(name: string, value: string): void;
  /** A console line, as the learner's code would print it (it goes into `trace.console`). */
  log(line: string): void;
  /** What crossed the wire so far on this socket's connection (handshake, frames, close). */
  wire(socket: PlaySocket): readonly WireEvent[];
  /**
   * Runs a file of the lesson's code (its start or solution version) in the code area's sandbox,
   * as the learner's Run would, and waits until it is running. In the page only: the sandbox is
   * an iframe and a worker. In Vitest it does nothing, so the tasks that need the learner's code
   * are named in `LessonPlay.browserOnly` and proven by e2e/lessons.spec.ts instead.
   */
  run(file: string, version: 'start' | 'solution'): Promise<void>;
  /** Runs the lesson's probe (it tests the learner's server); in the page only, like `run`. */
  probe(): Promise<void>;
  /**
   * Waits until the lesson's checks pass every one of `tasks` (re-checked as time passes), at
   * most `ms`, and returns either way: the results then say what failed, and why. Walks use it
   * after `run`, whose timing is the sandbox's and the machine's, in place of a fixed wait. In
   * Vitest it returns at once, like `run` (those tasks are `browserOnly`).
   */
  settle(tasks: readonly string[], ms: number): Promise<void>;
  /**
   * One plain HTTP GET of a bundled path ('/poll?since=3', '/long-poll?since=3'), as the page's
   * `fetch` makes it (server mode) or the in-page network answers it (loopback); resolves when
   * the answer has arrived. It joins `trace.http`, as the lesson's polling widget's requests do.
   */
  fetch(path: string): Promise<HttpRecord>;
}

export type Walk = (lab: PlayLab) => Promise<void>;

export interface LessonPlay {
  /** The lesson's start: what a learner who has done nothing yet (or ran the start code) leaves. */
  start: Walk;
  /** Everything the lesson asks, done right. */
  solution: Walk;
  /** Named wrong attempts whose failure messages the tests pin down (optional). */
  wrong?: Record<string, Walk>;
  /** Tasks that only the learner's code in the sandbox can pass (see `PlayLab.run`): the content
   *  test leaves them to the browser tests, which play every lesson in both modes. */
  browserOnly?: string[];
}

/** Identity, for inference: `export default definePlay({ start, solution })`. */
export function definePlay(play: LessonPlay): LessonPlay {
  return play;
}
