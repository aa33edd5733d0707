/**
 * A session's record, built incrementally: append events, and the frame list, the fragment
 * groups, the timeline, the handshake and the lifecycle are extended, never recomputed, so a
 * log of 10,000+ frames costs O(new events) per update. Plain TypeScript (no runes): the
 * LabConnection class wraps it with a version counter for Svelte.
 */
import { type ReadyState, type Side, summarizeFrame, type WireEvent } from '../lib/engine.ts';
import { decodeFrameBytes, type DecodedFrame, wholeFrames } from '../lib/frames.ts';
import type { ApiEvent, SessionEvent } from './events.ts';

export interface FrameRow extends DecodedFrame {
  /** Position in the frame list (0-based). */
  id: number;
  /** Index of the wire event that carried it. */
  event: number;
  t: number;
  from: Side;
  bytes: Uint8Array;
  /** Set when the frame is one fragment of a message sent in several frames (§5.4). */
  group?: FragmentGroup;
  /** 0-based position in its group. */
  fragmentIndex?: number;
  /** The receiving end did not read this frame (it had failed or closed the connection): why. */
  unread?: string;
}

export interface FragmentGroup {
  id: number;
  from: Side;
  /** Opcode of the first fragment (text or binary). */
  opcode: number;
  frames: number[];
  /** The last fragment (FIN = 1) has arrived. */
  complete: boolean;
  size: number;
}

export type TimelineEntry =
  | { t: number; source: 'api'; event: ApiEvent }
  | { t: number; source: 'frame'; frame: FrameRow }
  | { t: number; source: 'wire'; event: Exclude<WireEvent, { kind: 'frame' }> };

export interface CloseInfo {
  code: number;
  reason: string;
  wasClean: boolean;
  t: number;
  /** 'api': what the page's socket reported; 'wire': what the transport's end reported. */
  source: 'api' | 'wire';
}

export interface Transition {
  state: ReadyState;
  t: number;
}

const CAUSES = new Set(['create', 'send', 'close-call']);

/** The rule a frame breaks when its sender had already sent a Close. */
export const AFTER_CLOSE =
  "sent after its sender's Close frame: nothing may follow a Close, and the receiver ignores it (RFC 6455 §5.5.1)";

/**
 * Ties (the same millisecond) are ordered by rank, in the order things happen on a connection:
 * the constructor, the handshake, open, the calls made in onopen, the frames they produce, the
 * events the page then fires.
 */
const RANK = {
  create: 0,
  connecting: 0.1,
  request: 0.2,
  response: 0.3,
  opened: 0.4,
  open: 0.5,
  call: 0.6,
  afterCall: 0.7,
  wire: 1,
  effect: 2,
} as const;

export class SessionLog {
  readonly events: SessionEvent[] = [];
  readonly frames: FrameRow[] = [];
  readonly groups: FragmentGroup[] = [];
  readonly timeline: TimelineEntry[] = [];
  /** readyState changes: the page's when it has a socket, else the transport's. */
  readonly transitions: Transition[] = [];
  request: { t: number; text: string } | undefined;
  response: { t: number; text: string } | undefined;
  close: CloseInfo | undefined;
  /** First event's time: "time since connect" counts from here. */
  t0: number | undefined;
  /** Does this log have the page's own view of its socket? (else: wire events only) */
  hasApi = false;
  bytesIn = 0;
  bytesOut = 0;

  /** The server's 101 accepted permessage-deflate: RSV1 is then allowed (RFC 7692 §6). */
  deflate = false;

  /** A Close frame has come from this side: nothing may follow it (5.5.1). */
  readonly #closeFrom: Record<Side, boolean> = { client: false, server: false };
  /** Fragmented message in progress, per direction. */
  readonly #open: Record<Side, FragmentGroup | undefined> = { client: undefined, server: undefined };
  #ranks: number[] = [];
  /**
   * One clock per connection (the page's): the transport stamps wire events with its own clock
   * (the server's, for the tap) and delivers them on its own path, so its times are kept in
   * causal bounds: nothing before `new WebSocket()`, the 101 not after open, and nothing that
   * crossed the wire after the 101 (the server's first PING, the first tick) before open.
   */
  #createT: number | undefined;
  #requestT: number | undefined;
  #responseT: number | undefined;
  #openT: number | undefined;
  /** Timeline entries of what crossed the wire after the 101, placed before the page's open. */
  readonly #early = new Set<TimelineEntry>();

  append(events: readonly SessionEvent[]): void {
    for (const e of events) this.#add(e);
  }

  get readyState(): ReadyState | undefined {
    return this.transitions.at(-1)?.state;
  }

  #add(e: SessionEvent): void {
    const index = this.events.length;
    this.events.push(e);
    this.t0 ??= e.t;
    if (e.kind === 'api') return this.#api(e);
    const t = this.#wireTime(e);
    switch (e.kind) {
      case 'frame':
        return this.#frame(e, index, t);
      case 'handshake':
        if (e.from === 'client') this.request ??= { t, text: e.text };
        else if (!this.response) {
          this.response = { t, text: e.text };
          this.deflate = /^sec-websocket-extensions:[^\r\n]*permessage-deflate/im.test(e.text);
        }
        return this.#insert(
          { t, source: 'wire', event: e },
          e.from === 'client' ? RANK.request : RANK.response,
        );
      case 'state':
        if (this.hasApi) return; // the transport's end; the page's own readyState is shown
        this.#transition(e.state, t);
        return this.#insert({ t, source: 'wire', event: e }, RANK.wire);
      case 'close':
        if (this.hasApi) return;
        this.close = { code: e.code, reason: e.reason, wasClean: e.wasClean, t, source: 'wire' };
        return this.#insert({ t, source: 'wire', event: e }, RANK.wire);
      default:
        // 'error' (the transport's end failed the connection), 'bytes', 'eof'
        if (e.kind === 'bytes') {
          // Bytes the server did not read may still be frames the client sent (a message over
          // the limit, the close reply after a failure): show them as such, with the reason.
          const frames = wholeFrames(e.bytes, e.from);
          if (frames) {
            for (const bytes of frames)
              this.#frame({ kind: 'frame', t: e.t, from: e.from, bytes }, index, t, e.note);
            return;
          }
          this.#count(e.from, e.bytes.length);
        }
        return this.#insert({ t, source: 'wire', event: e }, RANK.wire);
    }
  }

  /** A wire event's time on the page's clock, within the bounds causality sets (see #createT). */
  #wireTime(e: WireEvent): number {
    if (!this.hasApi) return e.t;
    let t = Math.max(e.t, this.#createT ?? -Infinity);
    if (e.kind === 'handshake') {
      if (e.from === 'client') {
        this.#requestT ??= t;
        return t;
      }
      if (this.#openT !== undefined) t = Math.max(Math.min(t, this.#openT), this.#requestT ?? t);
      this.#responseT ??= t;
      return t;
    }
    if (this.#openT !== undefined && this.#responseT !== undefined) t = Math.max(t, this.#openT);
    return t;
  }

  /**
   * The page's open (its state and event), on the page's clock but not before the 101. What
   * crossed the wire after the 101 and was already placed before it moves to the open's time:
   * one order, in which the page has its open before anything the connection then carries.
   */
  #openTime(t: number): number {
    // The readyState turns OPEN and the open event fires in one task (WHATWG): the second of the
    // two to be reported (a sandbox's open event comes by message, after the state was polled)
    // takes the first one's time, so nothing the wire carried meanwhile reads as before it.
    if (this.#openT !== undefined) return this.#openT;
    if (this.#responseT !== undefined) t = Math.max(t, this.#responseT);
    this.#openT = t;
    const late = this.timeline
      .map((entry, i) => ({ entry, rank: this.#ranks[i]! }))
      .filter(({ entry }) => this.#early.has(entry) && entry.t < t);
    if (late.length > 0) {
      const moved = new Set(late.map((l) => l.entry));
      const keep = this.timeline.map((entry, i) => ({ entry, rank: this.#ranks[i]! }));
      this.timeline.length = 0;
      this.#ranks.length = 0;
      for (const k of keep) if (!moved.has(k.entry)) this.#insert(k.entry, k.rank);
      for (const l of late) {
        l.entry.t = t;
        if (l.entry.source === 'frame') l.entry.frame.t = t;
        this.#insert(l.entry, l.rank);
      }
    }
    this.#early.clear();
    return t;
  }

  #api(e: ApiEvent): void {
    if (!this.hasApi) {
      this.hasApi = true;
      // A wire-only start (an import) would have lifecycle rows from the wire; the page's view wins.
      this.transitions.length = 0;
    }
    const opening = e.type === 'open' || (e.type === 'state' && e.state === 'OPEN');
    let t = e.t;
    if (e.type === 'create') this.#createT ??= t;
    else if (opening) t = this.#openTime(t);
    if (e.type === 'state') this.#transition(e.state, t);
    if (e.type === 'close')
      this.close = { code: e.code, reason: e.reason, wasClean: e.wasClean, t, source: 'api' };
    // Calls are causes: at the same millisecond they come before the frames they produce.
    const prev = this.timeline.at(-1);
    const rank =
      e.type === 'create'
        ? RANK.create
        : e.type === 'open'
          ? RANK.open
          : e.type === 'state' && e.state === 'OPEN'
            ? RANK.opened
            : e.type === 'state' && e.state === 'CONNECTING'
              ? RANK.connecting
              : CAUSES.has(e.type)
                ? RANK.call
                : e.type === 'state' && prev?.source === 'api' && prev.t === t && CAUSES.has(prev.event.type)
                  ? RANK.afterCall
                  : RANK.effect;
    this.#insert({ t, source: 'api', event: e }, rank);
  }

  #transition(state: ReadyState, t: number): void {
    if (this.transitions.at(-1)?.state !== state) this.transitions.push({ state, t });
  }

  #count(from: Side, n: number): void {
    if (from === 'client') this.bytesOut += n;
    else this.bytesIn += n;
  }

  #frame(e: Extract<WireEvent, { kind: 'frame' }>, index: number, t: number, unread?: string): void {
    const decoded = decodeFrameBytes(e.bytes, e.from, { allowRsv1: this.deflate });
    if (this.#closeFrom[e.from] && decoded.error === undefined) decoded.error = AFTER_CLOSE;
    if (decoded.opcode === 0x8) this.#closeFrom[e.from] = true;
    const row: FrameRow = {
      ...decoded,
      id: this.frames.length,
      event: index,
      t,
      from: e.from,
      bytes: e.bytes,
      ...(unread !== undefined ? { unread } : {}),
    };
    this.frames.push(row);
    this.#count(e.from, e.bytes.length);
    if (unread === undefined) this.#group(row);
    // A continuation's content is read as its message's type (text or binary).
    if (row.kind === 'continuation' && row.group && row.frame) {
      row.summary = summarizeFrame(row.frame, { messageOpcode: row.group.opcode });
    }
    // Whole data frames are the messages the API shows; with no API view, every frame is a row.
    const hidden = row.kind !== 'text' && row.kind !== 'binary' ? true : !row.fin || unread !== undefined;
    if (hidden || !this.hasApi) this.#insert({ t, source: 'frame', frame: row }, RANK.wire);
  }

  /** §5.4: a data frame with FIN = 0 opens a message; continuations join it; FIN = 1 ends it. */
  #group(row: FrameRow): void {
    const open = this.#open[row.from];
    if (row.opcode === 0x1 || row.opcode === 0x2) {
      if (row.fin) return;
      const group: FragmentGroup = {
        id: this.groups.length,
        from: row.from,
        opcode: row.opcode,
        frames: [],
        complete: false,
        size: 0,
      };
      this.groups.push(group);
      this.#open[row.from] = group;
      this.#join(group, row);
    } else if (row.opcode === 0x0 && open) {
      this.#join(open, row);
      if (row.fin) {
        open.complete = true;
        this.#open[row.from] = undefined;
      }
    }
  }

  #join(group: FragmentGroup, row: FrameRow): void {
    row.group = group;
    row.fragmentIndex = group.frames.length;
    group.frames.push(row.id);
    group.size += row.frame?.payload.length ?? Math.max(row.length, 0);
  }

  /** Keeps the timeline ordered by time; for equal times by rank (causes, wire, effects), then arrival. */
  #insert(entry: TimelineEntry, rank: number): void {
    if (
      this.hasApi &&
      this.#openT === undefined &&
      this.#responseT !== undefined &&
      entry.source !== 'api' &&
      !(entry.source === 'wire' && entry.event.kind === 'handshake')
    )
      this.#early.add(entry);
    let i = this.timeline.length;
    while (i > 0) {
      const prev = this.timeline[i - 1]!;
      if (prev.t < entry.t || (prev.t === entry.t && this.#ranks[i - 1]! <= rank)) break;
      i--;
    }
    if (i === this.timeline.length) {
      this.timeline.push(entry);
      this.#ranks.push(rank);
    } else {
      this.timeline.splice(i, 0, entry);
      this.#ranks.splice(i, 0, rank);
    }
  }
}
