/**
 * /misbehave: a server that breaks RFC 6455 on request, for the lessons' "weird" experiments.
 * `?do=WHAT` picks the misdeed (MISDEEDS below; lessons rely on these names), `&delay=ms`
 * (0..60000) waits after the handshake before acting. In server mode the learner sees what
 * their own browser does about it; on the virtual network, what our engine does.
 *
 * It is the only user of the two escape hatches in service.ts: `breakHandshake` (a 101 the
 * engine would never write) and `RuleBreaker.sendFrame` (frames it would never send). Every
 * rule-breaking frame still goes through the engine's output queue, so it is tapped as a
 * frame event, keeps its order, and the engine goes on answering Pings and Closes as any
 * server would afterwards.
 *
 * Missing or unknown `do`: one text message listing the options, then close 1000.
 */
import { encodeBase64 } from '../protocol/base64.ts';
import { Opcode, type Frame } from '../protocol/types.ts';
import { sha1 } from '../protocol/sha1.ts';
import { encodeUtf8 } from '../protocol/utf8.ts';
import type { HandshakeAnswer, RuleBreaker, Service, ServiceSocket } from './service.ts';
import { truncateUtf8 } from './text.ts';

/** What `?do=` accepts, with the rule each one breaks (or shows, for the valid `fragments`). */
export const MISDEEDS = {
  'masked-frame': '5.1: a server must not mask its frames (the client fails with 1002)',
  'bad-utf8': '8.1: a text frame must be UTF-8 (the client fails with 1007)',
  'big-ping': '5.5: a control frame carries at most 125 bytes (1002)',
  'reserved-opcode': '5.2: opcode 0x3 is reserved (1002)',
  'fragmented-ping': '5.5: control frames must not be fragmented (1002)',
  rsv1: '5.2: RSV1 must be 0 unless an extension says otherwise (1002)',
  'bad-accept': '4.1: a wrong Sec-WebSocket-Accept (the client fails the handshake)',
  'unoffered-protocol': '4.1: a subprotocol the client did not offer (the client fails the handshake)',
  'data-after-close': '5.5.1: nothing may follow a Close frame',
  fragments:
    'valid, 5.4 and 5.5: one text message in n frames (&n=, default 3), a ping between the first two',
} as const;

export type Misdeed = keyof typeof MISDEEDS;

/** 'hello', the text of the masked and RSV1 frames. */
const HELLO = encodeUtf8('hello');
/** The mask key of RFC 6455 §5.7's examples. */
const EXAMPLE_MASK_KEY = Uint8Array.of(0x37, 0xfa, 0x21, 0x3d);
/** "κόσμε" (valid UTF-8), then ED A0 80: U+D800, a surrogate, which UTF-8 may not encode (8.1). */
export const BAD_UTF8 = Uint8Array.of(0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xce, 0xbc, 0xce, 0xb5, 0xed, 0xa0, 0x80);
/** 5.5: one byte over a control frame's 125; 126 takes the 16-bit length form. */
export const BIG_PING_LENGTH = 126;
export const DEFAULT_FRAGMENTS = 3;
export const MAX_FRAGMENTS = 64;
export const MAX_MISBEHAVE_DELAY_MS = 60_000;
/** The subprotocol `unoffered-protocol` answers with (unless the client did offer it). */
export const UNOFFERED_PROTOCOL = 'nonsense';

export function isMisdeed(value: string | null): value is Misdeed {
  return value !== null && Object.hasOwn(MISDEEDS, value);
}

export function createMisbehaveService(): Service {
  return {
    path: '/misbehave',
    description: 'breaks RFC 6455 on request: ?do=masked-frame, bad-utf8, big-ping, ... (no ?do: the list)',
    breaksRules: true,
    // 5.2: the rsv1 experiment is only a violation when no extension was agreed.
    deflate: false,
    breakHandshake: misbehavingAnswer,
    open(socket, ctx, rules) {
      const what = socket.query.get('do');
      const act = (): void => {
        if (!rules || !isMisdeed(what)) listOptions(socket, what);
        else misbehave(what, socket, rules);
      };
      const delay = clampDelay(socket.query.get('delay'));
      if (delay === 0) act();
      else ctx.timers.setTimeout(act, delay);
    },
  };
}

/** The handshake misdeeds: the engine's valid 101, spoiled. Any other request keeps it. */
export function misbehavingAnswer(answer: HandshakeAnswer): string {
  const what = answer.query.get('do');
  if (what === 'bad-accept') {
    // The value a server computes when it forgets the GUID (4.2.2 step: key + GUID, then SHA-1):
    // base64(SHA-1(key)). Plausible-looking, and never the right one.
    const wrong = encodeBase64(sha1(encodeUtf8(answer.key)));
    return setHeader(answer.response, 'Sec-WebSocket-Accept', wrong);
  }
  if (what === 'unoffered-protocol') {
    let name = UNOFFERED_PROTOCOL;
    for (let i = 2; answer.offeredProtocols.includes(name); i++) name = `${UNOFFERED_PROTOCOL}${i}`;
    return setHeader(answer.response, 'Sec-WebSocket-Protocol', name);
  }
  return answer.response;
}

/** The response with header `name` set to `value` (replaced if present, else added last). */
function setHeader(response: string, name: string, value: string): string {
  const head = response.slice(0, response.indexOf('\r\n\r\n'));
  const lines = head.split('\r\n');
  const lower = name.toLowerCase();
  const kept = lines.filter((line, i) => i === 0 || !line.toLowerCase().startsWith(lower + ':'));
  return [...kept, `${name}: ${value}`].join('\r\n') + '\r\n\r\n';
}

function frame(opcode: number, payload: Uint8Array, bits: Partial<Frame> = {}): Frame {
  return { fin: true, rsv1: false, rsv2: false, rsv3: false, opcode, payload, ...bits };
}

function misbehave(what: Misdeed, socket: ServiceSocket, rules: RuleBreaker): void {
  switch (what) {
    case 'masked-frame':
      // 5.1: "A server MUST NOT mask any frames that it sends to the client."
      rules.sendFrame(frame(Opcode.Text, HELLO, { maskKey: EXAMPLE_MASK_KEY }));
      return;
    case 'bad-utf8':
      // 8.1: the client must fail the connection (7.4.1: 1007).
      rules.sendFrame(frame(Opcode.Text, BAD_UTF8));
      return;
    case 'big-ping':
      // 5.5: control frames carry 125 bytes at most; 126 takes the 16-bit length form (5.2).
      rules.sendFrame(frame(Opcode.Ping, new Uint8Array(BIG_PING_LENGTH).fill(0x2a)));
      return;
    case 'reserved-opcode':
      // 5.2: 0x3-0x7 are reserved for further non-control frames.
      rules.sendFrame(frame(0x3, encodeUtf8('opcode 3')));
      return;
    case 'fragmented-ping':
      // 5.5: "All control frames ... MUST NOT be fragmented": FIN = 0 on a ping.
      rules.sendFrame(frame(Opcode.Ping, encodeUtf8('half a ping'), { fin: false }));
      return;
    case 'rsv1':
      // 5.2: RSV1 set with no extension negotiated (the payload is not even compressed).
      rules.sendFrame(frame(Opcode.Text, HELLO, { rsv1: true }));
      return;
    case 'data-after-close':
      // 5.5.1: after its Close, an endpoint "MUST NOT send any more data frames".
      socket.close(1000, 'done');
      rules.sendFrame(frame(Opcode.Text, encodeUtf8('after close')));
      return;
    case 'fragments':
      sendFragments(socket, rules);
      return;
    case 'bad-accept':
    case 'unoffered-protocol':
      // The 101 was the misdeed (misbehavingAnswer); a client that still opened is told so.
      socket.sendText(`this handshake broke RFC 6455 4.1 (${what}): your client should have failed it`);
      return;
  }
}

/** Valid: one text message in n frames (5.4), a ping between the first two (5.5: allowed). */
function sendFragments(socket: ServiceSocket, rules: RuleBreaker): void {
  const n = fragmentCount(socket.query.get('n'));
  for (let i = 1; i <= n; i++) {
    const part = `${i === 1 ? '' : ', '}part ${i} of ${n}`;
    rules.sendFrame(frame(i === 1 ? Opcode.Text : Opcode.Continuation, encodeUtf8(part), { fin: i === n }));
    if (i === 1) socket.ping(encodeUtf8('between fragments'));
  }
}

function listOptions(socket: ServiceSocket, what: string | null): void {
  const asked = what === null || what === '' ? 'no ?do= given' : `unknown ?do=${what}`;
  const lines = Object.entries(MISDEEDS).map(([name, rule]) => `  ?do=${name}  ${rule}`);
  socket.sendText(`${asked}; /misbehave breaks RFC 6455 on request:\n${lines.join('\n')}`);
  socket.close(1000, truncateUtf8(`${asked}: see the message for the options`, 123));
}

export function fragmentCount(value: string | null): number {
  if (value === null || value.trim() === '') return DEFAULT_FRAGMENTS;
  const n = Number(value);
  if (!Number.isFinite(n)) return DEFAULT_FRAGMENTS;
  return Math.min(Math.max(Math.round(n), 2), MAX_FRAGMENTS);
}

function clampDelay(value: string | null): number {
  const n = Number(value ?? 0);
  if (!Number.isFinite(n) || n <= 0) return 0;
  return Math.min(Math.round(n), MAX_MISBEHAVE_DELAY_MS);
}
