/**
 * The inspector's view of permessage-deflate (RFC 7692): the messages of a session inflated
 * from their wire frames, in order, per direction, as each receiver inflates them (context kept
 * from one message to the next unless the 101 said `*_no_context_takeover`). The tap and the
 * loopback give the compressed bytes only; this is where the learner sees what they carry.
 * Needs the page's codec (pako, loaded on demand by the caller).
 */
import { MessageDeflate, type DeflateCodecFactory, type DeflateParams } from '../lib/deflate.ts';
import type { Side } from '../lib/engine.ts';
import type { FrameRow, SessionLog } from '../connection/session-log.ts';

export interface InflatedMessage {
  /** Frame ids of the message (one, or the fragments). */
  frames: number[];
  compressedBytes: number;
  /** The message as the application received it; undefined when it could not be inflated. */
  inflated: Uint8Array | undefined;
  problem?: string;
  /** 7.1.1: the window still held the earlier messages (false for the first, or with no takeover). */
  contextKept: boolean;
  /** How many messages of this direction came before it compressed. */
  index: number;
}

/** Shown at most: the inspector is not the place for a bomb. */
const LIMIT = 16 * 1024 * 1024;

class Inflation {
  readonly #readers: Record<Side, MessageDeflate>;
  readonly #byFrame = new Map<number, InflatedMessage>();
  readonly #current: Record<Side, InflatedMessage | undefined> = { client: undefined, server: undefined };
  readonly #count: Record<Side, number> = { client: 0, server: 0 };
  readonly #takesOver: Record<Side, boolean>;
  #done = 0;

  constructor(params: DeflateParams, codec: DeflateCodecFactory) {
    // The reader of client frames is the server, and vice versa.
    this.#readers = {
      client: new MessageDeflate('server', params, codec),
      server: new MessageDeflate('client', params, codec),
    };
    this.#takesOver = { client: !params.clientNoContextTakeover, server: !params.serverNoContextTakeover };
  }

  /** Inflates the frames not seen yet (in order), then answers for `id`. */
  get(frames: readonly FrameRow[], id: number): InflatedMessage | undefined {
    for (; this.#done < frames.length; this.#done++) this.#add(frames[this.#done]!);
    return this.#byFrame.get(id);
  }

  #add(row: FrameRow): void {
    const frame = row.frame;
    if (frame === undefined || row.unread !== undefined) return;
    const side = row.from;
    let m = this.#current[side];
    if (frame.opcode === 0x1 || frame.opcode === 0x2) {
      if (!frame.rsv1) return; // sent uncompressed (RFC 7692 §6 allows it)
      const index = this.#count[side]++;
      m = {
        frames: [],
        compressedBytes: 0,
        inflated: new Uint8Array(0),
        contextKept: index > 0 && this.#takesOver[side],
        index,
      };
      this.#current[side] = m;
    } else if (frame.opcode !== 0x0 || m === undefined) return;
    m.frames.push(row.id);
    m.compressedBytes += frame.payload.length;
    this.#byFrame.set(row.id, m);
    if (m.inflated === undefined) return;
    try {
      const part = this.#readers[side].inflateFrame(frame.payload, frame.fin, LIMIT);
      if (part === undefined) {
        m.inflated = undefined;
        m.problem = `larger than ${LIMIT / 1024 / 1024} MiB once inflated: not shown`;
      } else {
        const all = new Uint8Array(m.inflated.length + part.length);
        all.set(m.inflated);
        all.set(part, m.inflated.length);
        m.inflated = all;
      }
    } catch (e) {
      m.inflated = undefined;
      m.problem = `not valid DEFLATE data (${e instanceof Error ? e.message : String(e)})`;
    }
    if (frame.fin) this.#current[side] = undefined;
  }
}

const inflations = new WeakMap<SessionLog, Inflation>();

/** The inflated message `row` belongs to, if it is part of a compressed message. */
export function inflatedMessage(
  log: SessionLog,
  row: FrameRow,
  params: DeflateParams,
  codec: DeflateCodecFactory,
): InflatedMessage | undefined {
  let inflation = inflations.get(log);
  if (inflation === undefined) inflations.set(log, (inflation = new Inflation(params, codec)));
  return inflation.get(log.frames, row.id);
}
