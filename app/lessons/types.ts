/**
 * What a lesson is, once loaded, and what its checks read and return.
 *
 * A lesson lives on disk as `lessons/NN-slug/` (see lessons/README.md): `index.md` (frontmatter
 * and steps), `checks.ts` (a `LessonChecks`), `start/` and `solution/` when it has code, and
 * `play.ts` (the start and the solution as a walkthrough, played in Vitest and in the page). The Markdown is turned into `LessonContent` at build time (build/markdown.ts); the
 * page never loads a Markdown library.
 *
 * Checks are pure functions of a `Trace`: what happened on the wire and in the API of the
 * learner's connections since the lesson (or the step) began. They never read the learner's
 * source text, so any approach that really does the thing passes.
 */
import type { SessionEvent } from '../ui/connection/events.ts';
import type { PlaySocket } from './play.ts';

/** Server mode: the browser's WebSocket to our Node server, bytes from its tap. Loopback: all in the page. */
export type LessonMode = 'server' | 'loopback';

/** The panels a lesson drives. */
export type PanelName = 'lab' | 'inspector' | 'handshake' | 'decode' | 'code';

/** Frontmatter of index.md. Every field is required except `needs.code`, `needs.endpoint` and `weird`. */
/** The step part of a deep link that shows the whole lesson as one page; no step may take it as its id. */
export const PAGE_STEP = 'page';

export interface LessonMeta {
  /** Stable id: storage keys, deep links (#/lesson/<id>/<step>) and the classroom use it. Never renamed. */
  id: string;
  /** Order in the course (from the folder's NN). */
  order: number;
  title: string;
  /** One line: what the learner can do at the end. */
  goal: string;
  /** RFC sections taught, e.g. ['4.1', '4.2.2'] for RFC 6455, or 'RFC 7692 7.1' for another RFC. */
  rfc: string[];
  minutes: number;
  needs: {
    /** The endpoint the lesson's lab opens, e.g. '/echo'. */
    endpoint?: string;
    panels: PanelName[];
    /** The lesson has code: which kind the learner writes. */
    code?: 'client' | 'server' | 'both';
  };
}

/**
 * A step's content, in order. `html` blocks are rendered Markdown (ours, trusted, made at build
 * time); the others are directives the player renders as live parts.
 */
export type Block =
  | { kind: 'html'; html: string }
  /** A question asked before the experiment; the answer is stored, locked, and never graded. */
  | { kind: 'predict'; id: string; question: string; options: string[] }
  /** Open (or focus) the lab on an endpoint; `protocols` pre-filled. */
  | { kind: 'lab'; endpoint: string; protocols: string[]; label: string }
  /** Select a frame in the inspector: the first frame a task refers to, or one matching `match`. */
  | { kind: 'inspector'; task?: string; label: string }
  /** Show the handshake view of the lab's active connection. */
  | { kind: 'handshake'; label: string }
  /** Paste-and-decode, optionally pre-filled with hex; `input` names where the learner's bytes are kept. */
  | { kind: 'decode'; hex: string; input?: string; label: string }
  /** Load a file of the lesson's code (from start/, or the learner's saved copy) into the editor. */
  | { kind: 'editor'; file: string; label: string }
  /** The results of these tasks (first failure shown in full). */
  | { kind: 'check'; tasks: string[] }
  /** One hint; consecutive hints unlock one at a time. */
  | { kind: 'hint'; html: string }
  /** Unlocked once the step's checks pass; shows "you predicted X, the wire showed Y". */
  | { kind: 'explain'; predict?: string; task?: string; html: string }
  /** An experiment that breaks the protocol on purpose (a framed box). */
  | { kind: 'weird'; title: string; blocks: Block[] }
  /** A note for where the two modes differ. */
  | { kind: 'note'; html: string }
  /** The live comparison of polling, long polling and a WebSocket on one feed: the columns shown,
   *  and how often the polling column asks (ms). */
  | { kind: 'compare'; columns: FeedClient[]; every: number };

/** The three ways to follow a feed the polling lesson compares (RFC 6455 §1.1). */
export type FeedClient = 'poll' | 'long-poll' | 'websocket';
export const FEED_CLIENTS: readonly FeedClient[] = ['poll', 'long-poll', 'websocket'];

export interface Step {
  /** Stable within the lesson: the slug of its heading. */
  id: string;
  title: string;
  blocks: Block[];
}

/** What build/markdown.ts makes of one lesson folder. */
export interface LessonContent {
  meta: LessonMeta;
  /** Rendered Markdown before the first step. */
  intro: string;
  steps: Step[];
  /** The lesson's code files by name ('client.js'), start and solution. */
  code: { start: Record<string, string>; solution: Record<string, string> };
}

/** One connection as the checks see it. `events` are in the order they were recorded. */
export interface TraceConnection {
  /** Stable within the trace, e.g. 'c1'. */
  id: string;
  url: string;
  protocols: string[];
  /** Who opened it: the lab, the learner's code, or the lesson's own probe. */
  origin: 'lab' | 'code' | 'probe';
  events: SessionEvent[];
}

export interface Trace {
  mode: LessonMode;
  connections: TraceConnection[];
  /** What the lesson's widgets recorded: predictions are NOT here (never graded); the bytes typed
   *  into a decode widget are (`inputs[input] = hex`). */
  inputs: Record<string, string>;
  /** Lines the learner's code printed (console), oldest first. */
  console: string[];
  /** Plain HTTP exchanges (the polling lesson's /poll and /long-poll), oldest first; absent when none. */
  http?: HttpRecord[];
}

/**
 * One plain HTTP exchange as the page saw it (RFC 9112: a request head, a response head, a body).
 * Server mode: the page's real `fetch` to our server; it cannot read the head its browser wrote,
 * so the size comes from the server (X-Request-Head-Bytes) and the response head is rebuilt from
 * the status and headers (the same bytes: header names are case-insensitive, RFC 9110 §5.1).
 * Loopback: both heads exactly as they crossed the in-page network.
 */
export interface HttpRecord {
  /** As requested, e.g. 'http://127.0.0.1:5173/poll?since=3'. */
  url: string;
  method: string;
  /** When the request left and its answer had fully arrived (ms, the trace's clock). */
  sent: number;
  received: number;
  status: number;
  /** Size of the request head (request line to blank line), as the server read it. */
  requestHeadBytes: number;
  /** The request head itself, when the page wrote it (loopback only). */
  requestHead?: string;
  /** Status line, headers, blank line. */
  responseHead: string;
  responseHeadBytes: number;
  /** The body as text (the feed answers JSON). */
  body: string;
}

/** Points at one frame of a trace: the connection and the index of its wire event. */
export interface FrameRef {
  connection: string;
  /** Index in `TraceConnection.events` of the `frame` event. */
  event: number;
  /** A FrameField id to highlight ('opcode', 'maskKey', 'len16', ...; see app/protocol/annotate.ts). */
  field?: string;
}

export type TaskResult =
  | {
      ok: true;
      /** What the wire showed, in one line (used by explain: "the wire showed ..."). */
      observed: string;
      frame?: FrameRef;
    }
  | {
      ok: false;
      /** What should have happened, precisely ("a TEXT frame from the client whose payload is 'hello'"). */
      expected: string;
      /** What the wire showed instead ("no frame from the client yet", "a BINARY frame of 5 bytes"). */
      seen: string;
      /** The frame it refers to, when there is one. */
      frame?: FrameRef;
      /** e.g. 'RFC 6455 §5.2' */
      rfc: string;
    };

export interface Task {
  /** Stable within the lesson; `::: check` blocks name it. */
  id: string;
  /** What to do, as a short imperative ("Send a text message to /echo"). */
  title: string;
  check(trace: Trace): TaskResult;
}

/** What can open connections for a probe: the lesson itself tests the learner's server. */
export interface ProbeKit {
  mode: LessonMode;
  /** Opens a connection to `url` (a learner's server on the page's virtual network, e.g.
   *  ws://localhost:8080/), waits until it is open or has failed, closes it, and returns what
   *  crossed the wire. Each opening sends a fresh random Sec-WebSocket-Key, so an answer copied
   *  from an earlier connection fails. */
  open(url: string, options?: ProbeOptions): Promise<TraceConnection>;
  /**
   * Opens a connection that the probe drives itself (several at once, sends, closes): a
   * WebSocket of the engine's client, recorded from its first byte to the probe's end (one still
   * open then is closed with 1000). Its connection joins the probe's result, after what the
   * probe returns.
   */
  connect(url: string, options?: ProbeOptions): PlaySocket;
  /** Lets `ms` pass (virtual time in Vitest, real in the page). */
  wait(ms: number): Promise<void>;
  /** Waits until `done()` holds, at most `ms`; false when it never did (no throw: the checks say why). */
  until(done: () => boolean, ms?: number): Promise<boolean>;
}

export interface ProbeOptions {
  protocols?: string[];
  /** The Origin header to send instead of the page's (an attack from another site, RFC 6455 10.2). */
  origin?: string;
}

/** The default export of a lesson's checks.ts. */
export interface LessonChecks {
  tasks: Task[];
  /** Runs before the checks when the learner asks for a check (e.g. open connections to their server). */
  probe?(kit: ProbeKit): Promise<TraceConnection[]>;
}
