import { beforeAll, describe, expect, it } from 'vitest';
import { encodeFrame, encodeUtf8 } from '../lib/engine.ts';
import { MessageDeflate } from '../lib/deflate.ts';
import { DEFAULT_DEFLATE_PARAMS } from '../../protocol/permessage-deflate.ts';
import { pakoCodec } from '../../loopback/pako-codec.ts';
import { REQUEST, RESPONSE } from '../connection/fixtures.ts';
import { SessionLog } from '../connection/session-log.ts';
import { inflatedSummary, ready } from './inflated-summary.ts';

const OFFER = 'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n';
const ANSWER = 'Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n';
const T0 = 1_700_000_000_000;

/** A session whose handshake agreed permessage-deflate (RFC 7692) and whose client sent `text` compressed. */
function compressedSession(text: string, agreed = true): SessionLog {
  const deflate = new MessageDeflate('client', { ...DEFAULT_DEFLATE_PARAMS }, pakoCodec);
  const payload = deflate.compress(encodeUtf8(text));
  const bytes = encodeFrame({
    fin: true,
    rsv1: true,
    rsv2: false,
    rsv3: false,
    opcode: 0x1,
    payload,
    maskKey: Uint8Array.of(1, 2, 3, 4),
  });
  const log = new SessionLog();
  log.append([
    { kind: 'handshake', t: T0, from: 'client', text: REQUEST.replace(/\r\n$/, OFFER) },
    {
      kind: 'handshake',
      t: T0 + 1,
      from: 'server',
      text: agreed ? RESPONSE.replace(/\r\n$/, ANSWER) : RESPONSE,
    },
    { kind: 'frame', t: T0 + 2, from: 'client', bytes },
  ]);
  return log;
}

describe('the frame list line of a compressed message (RFC 7692)', () => {
  beforeAll(ready);

  it('says it was deflated, from what size to what size, before the inflated text', () => {
    const text = 'hello hello hello hello hello hello hello hello';
    const log = compressedSession(text);
    const row = log.frames[0]!;
    const line = inflatedSummary(log, row)!;
    expect(line).toMatch(new RegExp(`^TEXT deflated 47 B → ${row.length} B: "hello hello`));
    expect(row.length).toBeLessThan(text.length);
    expect(line).toMatch(/· rsv1 · masked$/);
  });

  it('leaves a frame alone when the handshake agreed no compression', () => {
    const log = compressedSession('hello hello hello', false);
    expect(inflatedSummary(log, log.frames[0]!)).toBeUndefined();
  });
});
