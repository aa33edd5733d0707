/**
 * /misbehave through Session, byte for byte: each `?do=` writes exactly the frame that breaks
 * its rule, the client engine fails with the RFC's code, and the tap shows the frame.
 */
import { describe, expect, it } from 'vitest';
import { computeAccept, validateClientRequest } from '../protocol/handshake.ts';
import { parseRequest } from '../protocol/http.ts';
import { toHex } from '../protocol/sha1.ts';
import type { WireEvent } from '../protocol/types.ts';
import {
  BAD_UTF8,
  createMisbehaveService,
  fragmentCount,
  misbehavingAnswer,
  MISDEEDS,
  type Misdeed,
} from './misbehave.ts';
import type { RuleBreaker, Service } from './service.ts';
import { clientEvents, hostService } from './testing.ts';

/** Bytes the server wrote, as hex, after a host started /misbehave?do=`what`. */
function written(what: string): string {
  const h = hostService(createMisbehaveService(), { query: `do=${what}` });
  return toHex(h.wire.take());
}

const serverFrames = (tapped: WireEvent[]): string[] =>
  tapped.flatMap((e) => (e.kind === 'frame' && e.from === 'server' ? [toHex(e.bytes)] : []));

describe('/misbehave: the frames it writes', () => {
  it('masked-frame: a text frame with MASK=1, "hello" masked with §5.7\'s key 37 fa 21 3d (5.1)', () => {
    expect(written('masked-frame')).toBe('8185' + '37fa213d' + '5f9f4d5158');
  });

  it('bad-utf8: a text frame whose payload ends in ED A0 80, a UTF-16 surrogate (8.1)', () => {
    expect(written('bad-utf8')).toBe('810c' + toHex(BAD_UTF8));
    expect(toHex(BAD_UTF8)).toBe('cebae1bdb9cebcceb5eda080');
  });

  it('big-ping: a ping of 126 bytes, in the 16-bit length form (5.5: at most 125)', () => {
    expect(written('big-ping')).toBe('897e007e' + '2a'.repeat(126));
  });

  it('reserved-opcode: a frame with opcode 0x3 (5.2)', () => {
    expect(written('reserved-opcode')).toBe('8308' + toHex(new TextEncoder().encode('opcode 3')));
  });

  it('fragmented-ping: a ping with FIN=0 (5.5)', () => {
    expect(written('fragmented-ping').slice(0, 4)).toBe('090b');
  });

  it('rsv1: a text frame with RSV1 set and no extension (5.2)', () => {
    expect(written('rsv1')).toBe('c105' + toHex(new TextEncoder().encode('hello')));
  });

  it('data-after-close: a close 1000, then a text frame (5.5.1)', () => {
    const close = '8806' + '03e8' + toHex(new TextEncoder().encode('done'));
    const text = '810b' + toHex(new TextEncoder().encode('after close'));
    expect(written('data-after-close')).toBe(close + text);
  });

  it('fragments: one text message in 3 frames with a ping between the first two (valid: 5.4, 5.5)', () => {
    const h = hostService(createMisbehaveService(), { query: 'do=fragments', tap: true });
    const frames = serverFrames(h.tapped).map((hex) => hex.slice(0, 2));
    expect(frames).toEqual(['01', '89', '00', '80']);
    const events = clientEvents(h);
    expect(events.filter((e) => e.kind === 'message')).toEqual([
      { kind: 'message', opcode: 1, data: 'part 1 of 3, part 2 of 3, part 3 of 3' },
    ]);
    expect(events.filter((e) => e.kind === 'error')).toEqual([]);
  });

  it('fragments: &n= sets the count, bounded to 2..64; junk means 3', () => {
    expect([fragmentCount('5'), fragmentCount('1'), fragmentCount('900'), fragmentCount('x')]).toEqual([
      5, 2, 64, 3,
    ]);
    const h = hostService(createMisbehaveService(), { query: 'do=fragments&n=5', tap: true });
    expect(serverFrames(h.tapped)).toHaveLength(6);
  });

  it('waits &delay= ms after the handshake before misbehaving', () => {
    const h = hostService(createMisbehaveService(), { query: 'do=rsv1&delay=500' });
    expect(h.wire.take()).toHaveLength(0);
    h.clock.advance(499);
    expect(h.wire.take()).toHaveLength(0);
    h.clock.advance(1);
    expect(toHex(h.wire.take()).slice(0, 2)).toBe('c1');
  });
});

describe('/misbehave: what a strict client (our engine) does about it', () => {
  const expected: [Misdeed, string, number][] = [
    ['masked-frame', 'MASKED_SERVER_FRAME', 1002],
    ['bad-utf8', 'INVALID_UTF8', 1007],
    ['big-ping', 'CONTROL_FRAME_TOO_LONG', 1002],
    ['reserved-opcode', 'INVALID_OPCODE', 1002],
    ['fragmented-ping', 'FRAGMENTED_CONTROL_FRAME', 1002],
    ['rsv1', 'RESERVED_BITS', 1002],
  ];
  it.each(expected)('%s: the client fails with %s and sends close %i', (what, code, closeCode) => {
    const h = hostService(createMisbehaveService(), { query: `do=${what}`, tap: true });
    const events = clientEvents(h);
    expect(events.find((e) => e.kind === 'error')).toMatchObject({ error: { code, closeCode } });
    // The client's Close reached the server (tapped) with that code, and the server answered.
    const close = h.tapped.find((e) => e.kind === 'close');
    expect(close).toMatchObject({ code: closeCode });
    expect(h.wire.ended).toBe(true);
  });

  it('data-after-close: the client reads the close, ignores the text after it, and answers 1000', () => {
    const h = hostService(createMisbehaveService(), { query: 'do=data-after-close', tap: true });
    const events = clientEvents(h);
    expect(events.filter((e) => e.kind === 'message' || e.kind === 'error')).toEqual([]);
    expect(serverFrames(h.tapped)).toHaveLength(2);
    expect(h.tapped.find((e) => e.kind === 'close')).toMatchObject({ code: 1000, wasClean: true });
  });

  it('every misdeed leaves a frame from the server on the tap, the offending one first', () => {
    for (const what of Object.keys(MISDEEDS)) {
      if (what === 'bad-accept' || what === 'unoffered-protocol') continue;
      const h = hostService(createMisbehaveService(), { query: `do=${what}`, tap: true });
      expect(serverFrames(h.tapped).length, what).toBeGreaterThan(0);
    }
  });
});

describe('/misbehave: the handshake misdeeds (4.1)', () => {
  const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
  function answer(query: string, protocols = ''): string {
    const head =
      `GET /misbehave?${query} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n` +
      (protocols ? `Sec-WebSocket-Protocol: ${protocols}\r\n` : '') +
      '\r\n';
    const parsed = parseRequest(head);
    if (!parsed.ok) throw new Error('bad test request');
    const verdict = validateClientRequest(parsed.request, {});
    if (!verdict.ok) throw new Error('refused');
    return misbehavingAnswer({
      response: verdict.response,
      key: verdict.key,
      offeredProtocols: verdict.offeredProtocols,
      query: new URLSearchParams(query),
    });
  }

  it('bad-accept: a 101 whose accept is base64(SHA-1(key)), the GUID forgotten (4.2.2)', () => {
    const text = answer('do=bad-accept');
    expect(text).toMatch(/^HTTP\/1\.1 101 /);
    expect(text).not.toContain(computeAccept(KEY));
    // SHA-1 of the bare key, base64: what a server that skips the GUID would send.
    expect(text).toContain('Sec-WebSocket-Accept: hHLtf2V1k8aDQZfNjw3Ia1hCwt0=\r\n');
    expect(text.endsWith('\r\n\r\n')).toBe(true);
    expect(text.match(/Sec-WebSocket-Accept/g)).toHaveLength(1);
  });

  it('unoffered-protocol: a 101 naming "nonsense", which the client did not offer', () => {
    expect(answer('do=unoffered-protocol')).toContain('Sec-WebSocket-Protocol: nonsense\r\n');
    expect(answer('do=unoffered-protocol', 'chat')).toContain('Sec-WebSocket-Protocol: nonsense\r\n');
    // Had the client offered "nonsense", the answer would be valid: another name then.
    expect(answer('do=unoffered-protocol', 'nonsense')).toContain('Sec-WebSocket-Protocol: nonsense2\r\n');
    expect(answer('do=unoffered-protocol')).toContain(`Sec-WebSocket-Accept: ${computeAccept(KEY)}\r\n`);
  });

  it("any other request keeps the engine's valid 101", () => {
    expect(answer('do=masked-frame')).toBe(answer(''));
    expect(answer('')).toContain(`Sec-WebSocket-Accept: ${computeAccept(KEY)}\r\n`);
  });
});

describe('/misbehave: no ?do= or an unknown one', () => {
  it.each(['', 'do=', 'do=explode'])('"%s": one text message listing every option, then close 1000', (q) => {
    const h = hostService(createMisbehaveService(), { query: q });
    const events = clientEvents(h);
    const texts = events.flatMap((e) => (e.kind === 'message' ? [e.data as string] : []));
    expect(texts).toHaveLength(1);
    for (const name of Object.keys(MISDEEDS)) expect(texts[0]).toContain(`?do=${name}`);
    expect(texts[0]).toContain(q === 'do=explode' ? 'unknown ?do=explode' : 'no ?do= given');
    h.client.receiveEof();
    expect(h.client.events().find((e) => e.kind === 'close')).toMatchObject({ code: 1000 });
  });
});

describe('the RuleBreaker escape hatch (service.ts)', () => {
  it('is handed only to a service that sets breaksRules', () => {
    const seen: (RuleBreaker | undefined)[] = [];
    const spy = (breaksRules: boolean): Service => ({
      path: '/spy',
      description: '',
      breaksRules,
      open: (_socket, _ctx, rules) => void seen.push(rules),
    });
    hostService(spy(false));
    hostService(spy(true));
    expect(seen[0]).toBeUndefined();
    expect(seen[1]).toBeDefined();
  });

  it('writes nothing once the connection has ended', () => {
    let rules: RuleBreaker | undefined;
    const h = hostService({
      path: '/spy',
      description: '',
      breaksRules: true,
      open: (_s, _c, r) => void (rules = r),
    });
    h.session.transportClosed();
    rules!.sendFrame({
      fin: true,
      rsv1: false,
      rsv2: false,
      rsv3: false,
      opcode: 1,
      payload: new Uint8Array(1),
    });
    expect(h.wire.take()).toHaveLength(0);
  });
});
