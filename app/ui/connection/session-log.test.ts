import { describe, expect, it } from 'vitest';
import { echoSession, frameBytes, frameEvent, REQUEST, RESPONSE } from './fixtures.ts';
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

  it('puts the open event at the OPEN state’s time when it is reported later (a sandbox’s socket), before the frames that followed', () => {
    const log = new SessionLog();
    log.append([
      { kind: 'api', t: T0, type: 'create', url: 'ws://example.test/heartbeat', protocols: [] },
      { kind: 'api', t: T0, type: 'state', state: 'CONNECTING' },
      { kind: 'handshake', t: T0 + 1, from: 'client', text: REQUEST },
      { kind: 'handshake', t: T0 + 2, from: 'server', text: RESPONSE },
      { kind: 'api', t: T0 + 10, type: 'state', state: 'OPEN' },
      frameEvent(T0 + 10, 'server', 0x9, 'hb'),
      { kind: 'api', t: T0 + 11, type: 'open', protocol: '', extensions: '' },
    ]);
    const tags = log.timeline.map((e) => describeEntry(e).tag);
    expect(tags.slice(-3)).toEqual(['readyState', 'open', 'PING']);
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

  describe('one clock and one order per connection', () => {
    const handshake = (t: number, from: 'client' | 'server') =>
      ({
        kind: 'handshake',
        t,
        from,
        text: from === 'client' ? 'GET /echo HTTP/1.1\r\n\r\n' : 'HTTP/1.1 101 Switching Protocols\r\n\r\n',
      }) as const;
    const tags = (log: SessionLog) => log.timeline.map((e) => describeEntry(e).tag);

    it('never shows the handshake before new WebSocket() (a wire clock a little behind the page)', () => {
      const log = new SessionLog();
      log.append([
        { kind: 'api', t: 10, type: 'create', url: 'ws://x/', protocols: [] },
        { kind: 'api', t: 10, type: 'state', state: 'CONNECTING' },
        handshake(8, 'client'),
        handshake(9, 'server'),
        { kind: 'api', t: 12, type: 'state', state: 'OPEN' },
        { kind: 'api', t: 12, type: 'open', protocol: '', extensions: '' },
      ]);
      expect(tags(log)).toEqual(['new', 'readyState', 'HTTP', 'HTTP', 'readyState', 'open']);
      expect(log.timeline[2]!.t).toBe(10);
    });

    it('never shows the 101 after open, even when the tap delivers it late with a later stamp', () => {
      const log = new SessionLog();
      log.append([
        { kind: 'api', t: 10, type: 'create', url: 'ws://x/', protocols: [] },
        handshake(11, 'client'),
        { kind: 'api', t: 12, type: 'state', state: 'OPEN' },
        { kind: 'api', t: 12, type: 'open', protocol: '', extensions: '' },
        handshake(14, 'server'),
      ]);
      expect(tags(log)).toEqual(['new', 'HTTP', 'HTTP', 'readyState', 'open']);
    });

    it('shows the open state and event after the 101 of the same millisecond', () => {
      const log = new SessionLog();
      log.append([
        { kind: 'api', t: 10, type: 'create', url: 'ws://x/', protocols: [] },
        { kind: 'api', t: 10, type: 'state', state: 'CONNECTING' },
        { kind: 'api', t: 10, type: 'state', state: 'OPEN' },
        { kind: 'api', t: 10, type: 'open', protocol: '', extensions: '' },
        handshake(10, 'client'),
        handshake(10, 'server'),
      ]);
      expect(tags(log)).toEqual(['new', 'readyState', 'HTTP', 'HTTP', 'readyState', 'open']);
    });

    it("never shows the server's first frame (a heartbeat's PING) before open", () => {
      const log = new SessionLog();
      log.append([
        { kind: 'api', t: 10, type: 'create', url: 'ws://x/', protocols: [] },
        handshake(10, 'client'),
        handshake(11, 'server'),
        frameEvent(11, 'server', 0x9, ''),
        frameEvent(11, 'client', 0xa, ''),
        { kind: 'api', t: 13, type: 'state', state: 'OPEN' },
        { kind: 'api', t: 13, type: 'open', protocol: '', extensions: '' },
      ]);
      expect(tags(log)).toEqual(['new', 'HTTP', 'HTTP', 'readyState', 'open', 'PING', 'PONG']);
      expect(log.timeline.slice(3).every((e) => e.t === 13)).toBe(true);
    });

    it('a send in onopen comes after open, and its frames after the send', () => {
      const log = new SessionLog();
      log.append([
        { kind: 'api', t: 10, type: 'create', url: 'ws://x/', protocols: [] },
        handshake(10, 'client'),
        handshake(10, 'server'),
        { kind: 'api', t: 10, type: 'state', state: 'OPEN' },
        { kind: 'api', t: 10, type: 'open', protocol: '', extensions: '' },
        { kind: 'api', t: 10, type: 'send', data: 'a' },
        frameEvent(10, 'client', 0x1, 'a', false),
      ]);
      expect(tags(log)).toEqual(['new', 'HTTP', 'HTTP', 'readyState', 'open', 'send()', 'TEXT']);
    });
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

describe('SessionLog: bytes the server did not read', () => {
  it('shows a message refused as too big, and the close reply after it, as the frames the client sent', () => {
    const big = frameBytes('client', 0x1, 'x'.repeat(70_000));
    const reply = frameBytes('client', 0x8, Uint8Array.of(0x03, 0xf1));
    const log = new SessionLog();
    log.append([
      { kind: 'bytes', t: 2, from: 'client', bytes: big, note: 'MESSAGE_TOO_BIG: over the limit' },
      frameEvent(3, 'server', 0x8, Uint8Array.of(0x03, 0xf1)),
      {
        kind: 'bytes',
        t: 4,
        from: 'client',
        bytes: reply,
        note: 'read after the connection closed: ignored',
      },
    ]);
    expect(log.frames.map((f) => [f.from, f.kind, f.length, f.unread ?? ''])).toEqual([
      ['client', 'text', 70_000, 'MESSAGE_TOO_BIG: over the limit'],
      ['server', 'close', 2, ''],
      ['client', 'close', 2, 'read after the connection closed: ignored'],
    ]);
    expect(describeEntry(log.timeline[0]!).text).toMatch(/^TEXT .* · not read: MESSAGE_TOO_BIG/);
    expect(log.bytesOut).toBe(big.length + reply.length);
  });

  it('keeps bytes that are not whole frames as bytes', () => {
    const log = new SessionLog();
    log.append([
      { kind: 'bytes', t: 1, from: 'client', bytes: Uint8Array.of(0x81, 0xff, 1), note: 'garbage' },
    ]);
    expect(log.frames).toHaveLength(0);
    expect(describeEntry(log.timeline[0]!).text).toMatch(/not framed: garbage/);
  });
});

describe('timeline rows of a record without the page view (an import)', () => {
  it('does not badge whole messages "hidden from the API": the API shows messages', () => {
    const log = new SessionLog();
    log.append([
      frameEvent(1, 'client', 0x1, 'hi'),
      frameEvent(2, 'server', 0x1, 'hi'),
      frameEvent(3, 'server', 0x9, ''),
    ]);
    expect(log.timeline.map((e) => describeEntry(e).tone)).toEqual(['wire', 'wire', 'hidden']);
  });
});

describe('events column text', () => {
  it('shows JSON as JSON, not escaped, and keeps a row on one line', async () => {
    const { quoted, fullData } = await import('./timeline.ts');
    expect(quoted('{"type":"chat"}')).toBe('"{"type":"chat"}"');
    expect(quoted('a\nb')).toBe('"a\\nb"');
    expect(fullData('{"a":1,"b":[2]}')).toEqual({
      text: '{\n  "a": 1,\n  "b": [\n    2\n  ]\n}',
      json: true,
    });
    expect(fullData('{not json}')).toEqual({ text: '{not json}', json: false });
  });
});
