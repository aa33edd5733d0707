/**
 * Lesson 4 played. The start is a learner who has done nothing. The solution sends a text and a
 * binary message to /echo, reads its own text frame's bytes, and types the frame the lesson asks
 * for (target.ts) into the decode widget; the wrong attempts type that frame with one field off.
 *
 * Reading its own frame: PlayLab has no view of the wire, so the walk reads it where it can. A
 * loopback socket carries its wire log under Symbol.for('wsp.wire') (app/loopback/wire.ts); in
 * server mode the player must offer `lab.wire(ws)`, the wire events of that socket's connection.
 */
import type { WireEvent } from '../../app/protocol/types.ts';
import { definePlay, type PlayLab, type PlaySocket } from '../../app/lessons/play.ts';
import { INPUT } from './checks.ts';
import { hex, TARGET_LENGTH, targetFrom, type Target } from './target.ts';

interface WireSource {
  subscribe(fn: (e: WireEvent) => void): () => void;
}

type WireLab = PlayLab & { wire?(ws: PlaySocket): readonly WireEvent[] };

function wireOf(lab: WireLab, ws: PlaySocket): readonly WireEvent[] {
  if (lab.wire) return lab.wire(ws);
  const source = (ws as unknown as Record<symbol, WireSource | undefined>)[Symbol.for('wsp.wire')];
  if (!source)
    throw new Error(
      "lesson 4's walk needs the socket's wire: lab.wire(ws) (server mode) or a loopback socket",
    );
  const events: WireEvent[] = [];
  source.subscribe((e) => events.push(e))();
  return events;
}

/** The exact bytes of the first text frame this socket sent, once the wire has shown it. */
function ownTextFrame(lab: PlayLab, ws: PlaySocket): Uint8Array | undefined {
  for (const e of wireOf(lab, ws)) {
    if (e.kind === 'frame' && e.from === 'client' && ((e.bytes[0] ?? 0) & 0x0f) === 0x1) return e.bytes;
  }
  return undefined;
}

/** Sends 'hello' and 0x01 0x02 0x03 to /echo, waits for both echoes, and returns the target. */
async function sendBoth(lab: PlayLab): Promise<Target> {
  const ws = lab.open('/echo');
  ws.binaryType = 'arraybuffer';
  let echoes = 0;
  ws.onmessage = () => void echoes++;
  await lab.until(() => ws.readyState === 1);
  ws.send('hello');
  ws.send(Uint8Array.of(0x01, 0x02, 0x03));
  await lab.until(() => echoes === 2);
  let frame: Uint8Array | undefined;
  await lab.until(() => (frame = ownTextFrame(lab, ws)) !== undefined);
  const target = targetFrom(frame!);
  if (!target) throw new Error(`'hello' is ${TARGET_LENGTH} bytes or more: its frame makes a target`);
  return target;
}

/** The solution's walk, typing `edit(target)` instead of the target itself. */
function typing(edit: (t: Target) => Uint8Array | string): (lab: PlayLab) => Promise<void> {
  return async (lab) => {
    const target = await sendBoth(lab);
    const typed = edit(target);
    lab.input(INPUT, typeof typed === 'string' ? typed : hex(typed));
  };
}

/** The target with byte `i` replaced. */
function withByte(t: Target, i: number, value: number): Uint8Array {
  const out = t.bytes.slice();
  out[i] = value;
  return out;
}

export default definePlay({
  async start() {
    // A learner who has done nothing yet: no connection, nothing typed.
  },
  solution: typing((t) => t.bytes),
  wrong: {
    /** Sent nothing at all but typed a frame. */
    async typedOnly(lab) {
      lab.input(INPUT, '02 83 01 02 03 04 69 67 6f');
    },
    /** Connected and sent the text, typed nothing. */
    typedNothing: typing(() => ''),
    /** 0x82: FIN set, as in a whole message. */
    finSet: typing((t) => withByte(t, 0, 0x82)),
    /** 0x42: RSV1 set instead of nothing. */
    rsv1Set: typing((t) => withByte(t, 0, 0x42)),
    /** 0x01: TEXT, copied from their own frame. */
    textOpcode: typing((t) => withByte(t, 0, 0x01)),
    /** MASK 0: no key, the plain bytes. */
    unmasked: typing((t) => Uint8Array.of(0x02, TARGET_LENGTH, ...t.plain)),
    /** Their whole frame with only byte 0 changed: length 5. */
    wholeLength: typing((t) => withByte(t, 1, 0x85)),
    /** The 16-bit length form for 3 bytes. */
    longForm: typing((t) => Uint8Array.of(0x02, 0xfe, 0x00, TARGET_LENGTH, ...t.key, ...t.masked)),
    /** A neighbour's frame: another key, its own payload. */
    neighbourKey: typing((t) =>
      Uint8Array.of(0x02, 0x83, 0x11, 0x22, 0x33, 0x44, ...t.plain.map((b, i) => b ^ [0x11, 0x22, 0x33][i]!)),
    ),
    /** Their key, but the text's bytes left unmasked. */
    plainPayload: typing((t) => Uint8Array.of(0x02, 0x83, ...t.key, ...t.plain)),
    /** Cut short in the key. */
    cutShort: typing((t) => t.bytes.subarray(0, 4)),
    /** One byte too many. */
    extraByte: typing((t) => Uint8Array.of(...t.bytes, 0x00)),
    /** Not hex. */
    notHex: typing(() => '02 83 zz'),
  },
});
