import { describe, expect, it } from 'vitest';
import { echoSession, frameEvent, REQUEST, RESPONSE } from './fixtures.ts';
import { AFTER_CLOSE, SessionLog } from './session-log.ts';
import { describeEntry } from './timeline.ts';

const T0 = 1_700_000_000_000;

describe('SessionLog', () => {
  it('decodes every frame with direction, opcode, FIN, length, mask and the engine summary', () => {
    const log = new SessionLog();
    log.append(echoSession(T0));
    expect(log.frames.map((f) => [f.from, f.kind, f.fin, f.length, f.masked])).toEqual([
      ['client', 'text', true, 5, true],
      ['server', 'text', true, 5, false],
      ['server', 'ping', true, 2, false],
      ['client', 'pong', true, 2, true],
      ['server', 'text', false, 3, false],
      ['server', 'continuation', true, 2, false],
      ['client', 'close', true, 5, true],
      ['server', 'close', true, 5, false],
    ]);
    expect(log.frames[0]!.summary).toBe('TEXT "hello" · 5 B · masked');
    expect(log.frames.every((f) => f.error === undefined)).toBe(true);
  });

  it('groups fragments into their message, and summarises a continuation as its message type', () => {
    const log = new SessionLog();
    log.append(echoSession(T0));
    const [first, last] = [log.frames[4]!, log.frames[5]!];
    expect(first.group).toBe(last.group);
    expect(first.group).toMatchObject({ opcode: 1, frames: [4, 5], complete: true, size: 5 });
    expect([first.fragmentIndex, last.fragmentIndex]).toEqual([0, 1]);
    expect(last.summary).toBe('CONT "lo" · 2 B · fin');
    expect(log.frames[0]!.group).toBeUndefined();
  });

  it('keeps the lifecycle, the handshake and the close the page saw', () => {
    const log = new SessionLog();
    log.append(echoSession(T0));
    expect(log.transitions.map((t) => t.state)).toEqual(['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED']);
    expect(log.request?.text).toMatch(/^GET \/echo/);
    expect(log.response?.text).toMatch(/^HTTP\/1.1 101/);
    expect(log.close).toMatchObject({ code: 4000, reason: 'bye', wasClean: true, source: 'api' });
    expect(log.t0).toBe(T0);
  });

  it('puts API events and the frames the API hides on the timeline, in causal order', () => {
    const log = new SessionLog();
    log.append(echoSession(T0));
    const tags = log.timeline.map((e) => describeEntry(e).tag);
    expect(tags).toEqual([
      'new',
      'readyState',
      'HTTP',
      'HTTP',
      'readyState',
      'open',
      'send()',
      'message',
      'PING',
      'PONG',
      'TEXT',
      'CONT',
      'message',
      'close()',
      'readyState',
      'CLOSE',
      'CLOSE',
      'TCP',
      'readyState',
      'close',
    ]);
  });

  it('orders a late tap event before API events of the same millisecond, but after the call that caused it', () => {
    const log = new SessionLog();
    log.append([
      { kind: 'api', t: 5, type: 'create', url: 'ws://x/', protocols: [] },
      { kind: 'api', t: 10, type: 'send', data: 'a' },
      { kind: 'api', t: 11, type: 'message', data: 'a' },
      // the tap delivers the server's frame after the page's message event
      frameEvent(11, 'server', 0x9, ''),
      frameEvent(10, 'client', 0x9, ''),
    ]);
    expect(log.timeline.map((e) => describeEntry(e).tag)).toEqual([
      'new',
      'send()',
      'PING',
      'PING',
      'message',
    ]);
  });

  it('with wire events only (an import), shows every frame and the transport states', () => {
    const log = new SessionLog();
    log.append([
      { kind: 'state', t: 1, state: 'OPEN' },
      frameEvent(2, 'client', 0x1, 'hi'),
      { kind: 'close', t: 3, code: 1000, reason: '', wasClean: true },
    ]);
    expect(log.timeline).toHaveLength(3);
    expect(log.readyState).toBe('OPEN');
    expect(log.close?.source).toBe('wire');
  });

  it('marks frames that break a rule, as the receiving endpoint would', () => {
    const log = new SessionLog();
    log.append([
      frameEvent(1, 'server', 0x1, 'x'),
      { kind: 'frame', t: 2, from: 'client', bytes: Uint8Array.of(0x81, 0x01, 0x41) },
    ]);
    expect(log.frames[0]!.error).toBeUndefined();
    expect(log.frames[1]!.error).toMatch(/client frame arrived unmasked/);
  });

  it('counts bytes each way', () => {
    const log = new SessionLog();
    log.append([frameEvent(1, 'client', 0x1, 'abc'), frameEvent(2, 'server', 0x1, 'abc')]);
    expect([log.bytesOut, log.bytesIn]).toEqual([2 + 4 + 3, 2 + 3]);
  });

  it("flags a frame sent after its sender's Close (5.5.1), not the other side's answer", () => {
    const log = new SessionLog();
    log.append([
      frameEvent(T0, 'server', 0x8, Uint8Array.of(0x03, 0xe8)),
      frameEvent(T0 + 1, 'server', 0x1, 'after close'),
      frameEvent(T0 + 2, 'client', 0x8, Uint8Array.of(0x03, 0xe8)),
    ]);
    expect(log.frames.map((f) => f.error)).toEqual([undefined, AFTER_CLOSE, undefined]);
  });

  it("flags RSV1 unless the server's 101 accepted permessage-deflate", () => {
    const rsv1 = {
      kind: 'frame' as const,
      t: T0 + 3,
      from: 'server' as const,
      bytes: Uint8Array.of(0xc1, 0x00),
    };
    const plain = new SessionLog();
    plain.append([
      { kind: 'handshake', t: T0, from: 'client', text: REQUEST },
      { kind: 'handshake', t: T0 + 1, from: 'server', text: RESPONSE },
      rsv1,
    ]);
    expect(plain.frames[0]!.error).toMatch(/RSV1/);
    const deflate = new SessionLog();
    deflate.append([
      { kind: 'handshake', t: T0, from: 'client', text: REQUEST },
      {
        kind: 'handshake',
        t: T0 + 1,
        from: 'server',
        text: RESPONSE.replace('\r\n\r\n', '\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n'),
      },
      rsv1,
    ]);
    expect(deflate.deflate).toBe(true);
    expect(deflate.frames[0]!.error).toBeUndefined();
  });
});
