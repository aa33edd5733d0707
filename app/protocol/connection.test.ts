import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Connection, DEFAULT_MAX_MESSAGE_SIZE } from './connection.ts';
import { decodeFrames } from './decoder.ts';
import { encodeFrame, encodeMessage } from './frame.ts';
import { concatBytes, digest, fixedEntropy, frame, fromHex, hex, text } from './test-helpers.ts';
import type { ConnectionEvent, Frame, Role } from './types.ts';

const KEY = fromHex('37fa213d');

function server(options: { maxMessageSize?: number } = {}): Connection {
  const c = new Connection({ role: 'server', ...options });
  c.events(); // drop 'open'
  return c;
}

function client(): Connection {
  const c = new Connection({ role: 'client', entropy: fixedEntropy() });
  c.events();
  return c;
}

/** What a peer would send to `role`: masked for a server, unmasked for a client. */
function to(role: Role, f: Frame): Uint8Array {
  return encodeFrame(role === 'server' ? { ...f, maskKey: KEY } : f);
}

/** Frames written by `c`, decoded as its peer reads them. */
function written(c: Connection): Frame[] {
  const bytes = c.dataToSend();
  const all = concatBytes(bytes);
  const { frames, error } = decodeFrames(all, { role: c.role === 'server' ? 'client' : 'server' });
  if (error) throw error;
  return frames.map((f) => f.frame);
}

const types = (events: ConnectionEvent[]) => events.map((e) => e.kind);
const closeOf = (f: Frame) => ({
  opcode: f.opcode,
  code: f.payload.length >= 2 ? (f.payload[0]! << 8) | f.payload[1]! : undefined,
  reason: new TextDecoder().decode(f.payload.subarray(2)),
});

describe('Connection', () => {
  it('starts OPEN and reports open with the negotiated protocol', () => {
    const c = new Connection({ role: 'server', protocol: 'chat' });
    expect(c.readyState).toBe('OPEN');
    expect(c.events()).toEqual([{ kind: 'open', protocol: 'chat', extensions: '' }]);
    expect(c.maxMessageSize).toBe(DEFAULT_MAX_MESSAGE_SIZE);
  });

  it('a client without entropy is refused', () => {
    expect(() => new Connection({ role: 'client' })).toThrow(TypeError);
  });

  it('delivers text and binary messages, and reports each frame read with its exact bytes', () => {
    const c = server();
    const bytes = to('server', frame(0x1, 'Hello'));
    c.receiveData(bytes.slice());
    c.receiveData(to('server', frame(0x2, Uint8Array.of(1, 2, 3))));
    const events = c.events();
    expect(types(events)).toEqual(['frame', 'message', 'frame', 'message']);
    expect(events[0]).toMatchObject({ kind: 'frame', from: 'client' });
    expect(events[0]?.kind === 'frame' && hex(events[0].bytes)).toBe(hex(bytes));
    expect(events[1]).toEqual({ kind: 'message', opcode: 0x1, data: 'Hello' });
    expect(events[3]).toEqual({ kind: 'message', opcode: 0x2, data: Uint8Array.of(1, 2, 3) });
  });

  it('answers a ping with a pong carrying the same payload (§5.5.3)', () => {
    const c = server();
    c.receiveData(to('server', frame(0x9, 'are you there?')));
    expect(types(c.events())).toEqual(['frame', 'ping', 'frame']);
    const [pong] = written(c);
    expect(pong?.opcode).toBe(0xa);
    expect(new TextDecoder().decode(pong!.payload)).toBe('are you there?');
  });

  it('a client masks its pong with the injected key (§5.3)', () => {
    const c = client();
    c.receiveData(to('client', frame(0x9, 'Hello')));
    expect(c.dataToSend().map(hex)).toEqual(['8a8537fa213d7f9f4d5158']);
  });

  it('reassembles a fragmented message with a ping between fragments (§5.4)', () => {
    const c = server();
    c.receiveData(to('server', frame(0x1, 'Hel', { fin: false })));
    c.receiveData(to('server', frame(0x9, '')));
    c.receiveData(to('server', frame(0x0, 'lo')));
    const events = c.events().filter((e) => e.kind !== 'frame');
    expect(events).toEqual([
      { kind: 'ping', data: new Uint8Array(0) },
      { kind: 'message', opcode: 0x1, data: 'Hello' },
    ]);
  });

  it('accepts a character split between two fragments', () => {
    const c = server();
    const euro = text('€'); // e2 82 ac
    c.receiveData(to('server', frame(0x1, euro.subarray(0, 1), { fin: false })));
    c.receiveData(to('server', frame(0x0, euro.subarray(1))));
    expect(c.events().filter((e) => e.kind === 'message')).toEqual([
      { kind: 'message', opcode: 0x1, data: '€' },
    ]);
  });

  describe('sending', () => {
    it('a server sends unmasked frames; fragments on request', () => {
      const c = server();
      expect(c.sendText('Hello', { fragments: 2 })).toBe(true);
      expect(c.dataToSend().map(hex)).toEqual(['010348656c', '80026c6f']);
      expect(types(c.events())).toEqual(['frame', 'frame']);
    });

    it('a client masks with the injected entropy (RFC §5.7 masked "Hello")', () => {
      const c = client();
      c.sendText('Hello');
      expect(c.dataToSend().map(hex)).toEqual(['818537fa213d7f9f4d5158']);
    });

    it('sendBinary, ping and pong write the frames asked for', () => {
      const c = server();
      c.sendBinary(Uint8Array.of(1, 2));
      c.ping('p');
      c.pong();
      expect(c.dataToSend().map(hex)).toEqual(['82020102', '890170', '8a00']);
    });

    it('refuses a ping payload over 125 bytes (§5.5)', () => {
      expect(() => server().ping(new Uint8Array(126))).toThrow(RangeError);
    });

    it('sendFrame sends exactly the frame given, even an invalid one', () => {
      const c = client();
      c.sendFrame(frame(0x3, 'x', { fin: false, rsv2: true }));
      expect(c.dataToSend().map(hex)).toEqual(['230178']);
    });

    it('counts the bytes waiting in dataToSend', () => {
      const c = server();
      c.sendText('abc');
      expect(c.pendingBytes).toBe(5);
      c.dataToSend();
      expect(c.pendingBytes).toBe(0);
    });
  });

  describe('closing handshake (§5.5.1, §7)', () => {
    it('server: echoes the client close with the same code and reason, closes TCP first, reports close once', () => {
      const c = server();
      c.receiveData(to('server', frame(0x8, Uint8Array.of(0x03, 0xe8, ...text('bye')))));
      expect(written(c).map(closeOf)).toEqual([{ opcode: 8, code: 1000, reason: 'bye' }]);
      expect(c.readyState).toBe('CLOSED');
      expect(c.shouldCloseTransport).toBe(true);
      const events = c.events();
      expect(events.filter((e) => e.kind === 'close')).toEqual([
        { kind: 'close', code: 1000, reason: 'bye', wasClean: true },
      ]);
      c.receiveEof();
      expect(c.events()).toEqual([]);
      expect(c.closeCode).toBe(1000);
      expect(c.closeReason).toBe('bye');
    });

    describe('a Close read after a message waits until that message was taken (§5.5.1)', () => {
      /** A text message and a Close 1000 in one read, as a peer's send(); close() often arrive. */
      const messageThenClose = (role: Role): Uint8Array =>
        concatBytes([to(role, frame(0x1, 'last words')), to(role, frame(0x8, Uint8Array.of(0x03, 0xe8)))]);

      it('lets the application answer the message before the Close answer is queued', () => {
        const c = server();
        c.receiveData(messageThenClose('server'));
        expect(c.readyState).toBe('OPEN');
        expect(c.closeReceived).toBe(false);
        expect(c.dataToSend()).toEqual([]);
        const first = c.events();
        expect(types(first)).toEqual(['frame', 'message']);
        expect(c.sendText('echo: last words')).toBe(true);
        const second = c.events();
        // Our echo, then the peer's Close as read, then our answer to it.
        expect(second.map((e) => (e.kind === 'frame' ? `${e.from} ${e.frame.opcode}` : e.kind))).toEqual([
          'server 1',
          'client 8',
          'server 8',
          'close',
        ]);
        expect(second.at(-1)).toEqual({ kind: 'close', code: 1000, reason: '', wasClean: true });
        expect(written(c).map((f) => f.opcode)).toEqual([0x1, 0x8]);
        expect(c.events()).toEqual([]);
      });

      it('handles a Close at once when no message is waiting', () => {
        const c = server();
        c.receiveData(to('server', frame(0x1, 'taken')));
        c.events();
        c.receiveData(to('server', frame(0x8, Uint8Array.of(0x03, 0xe8))));
        expect(c.readyState).toBe('CLOSED');
        expect(written(c).map(closeOf)).toEqual([{ opcode: 8, code: 1000, reason: '' }]);
      });

      it('reads nothing after a held Close, and sends no second Close when the application closed meanwhile', () => {
        const c = server();
        c.receiveData(messageThenClose('server'));
        c.receiveData(to('server', frame(0x1, 'after the close')));
        expect(types(c.events())).toEqual(['frame', 'message']);
        expect(c.close(4000, 'me first')).toBe(true);
        const events = c.events();
        expect(events.filter((e) => e.kind === 'message')).toEqual([]);
        expect(events.at(-1)).toEqual({ kind: 'close', code: 1000, reason: '', wasClean: true });
        expect(written(c).map(closeOf)).toEqual([{ opcode: 8, code: 4000, reason: 'me first' }]);
      });

      it('handles a held Close before the end of TCP that followed it: a clean close, not 1006', () => {
        const c = client();
        c.receiveData(messageThenClose('client'));
        c.receiveEof();
        const events = c.events();
        expect(types(events)).toEqual(['frame', 'message', 'frame', 'frame', 'close']);
        expect(events.at(-1)).toEqual({ kind: 'close', code: 1000, reason: '', wasClean: true });
      });
    });

    describe('messages completed before a violation in the same read are delivered first (§7.1.7)', () => {
      /** A valid text frame, then a frame with RSV2 set (no extension defines it), in one read. */
      const textThenRsv2 = (role: Role): Uint8Array =>
        concatBytes([to(role, frame(0x1, 'Hello, world!')), to(role, frame(0x1, 'bad', { rsv2: true }))]);

      for (const role of ['server', 'client'] as const) {
        it(`${role}: Autobahn 3.2: the echo of the text goes out, then Close 1002 and the failure`, () => {
          const c = role === 'server' ? server() : client();
          c.receiveData(textThenRsv2(role));
          // Nothing failed yet: the message is waiting for the application.
          expect(c.readyState).toBe('OPEN');
          expect(c.shouldCloseTransport).toBe(false);
          const first = c.events();
          expect(types(first)).toEqual(['frame', 'message']);
          expect(first[1]).toMatchObject({ kind: 'message', data: 'Hello, world!' });
          expect(c.sendText('Hello, world!')).toBe(true);
          const second = c.events();
          expect(types(second)).toEqual(['frame', 'error', 'frame', 'close']);
          expect(second[1]).toMatchObject({ kind: 'error', error: { closeCode: 1002 } });
          expect(second.at(-1)).toEqual({ kind: 'close', code: 1006, reason: '', wasClean: false });
          expect(c.shouldCloseTransport).toBe(true);
          const out = written(c);
          expect(out.map((f) => f.opcode)).toEqual([0x1, 0x8]);
          expect(new TextDecoder().decode(out[0]!.payload)).toBe('Hello, world!');
          expect(closeOf(out[1]!).code).toBe(1002);
          expect(c.events()).toEqual([]);
        });
      }

      it('reads nothing after a held violation, and a held violation is acted on at the end of TCP', () => {
        const c = server();
        c.receiveData(textThenRsv2('server'));
        c.receiveData(to('server', frame(0x1, 'after the violation')));
        c.receiveEof();
        const events = c.events();
        expect(events.filter((e) => e.kind === 'message')).toHaveLength(1);
        expect(types(events).slice(-3)).toEqual(['error', 'frame', 'close']);
        expect(events.at(-1)).toEqual({ kind: 'close', code: 1006, reason: '', wasClean: false });
      });

      it('fails at once when no message is waiting (a violation alone in its read)', () => {
        const c = server();
        c.receiveData(to('server', frame(0x1, 'bad', { rsv2: true })));
        expect(c.readyState).toBe('CLOSED');
        expect(written(c).map(closeOf)).toEqual([{ opcode: 8, code: 1002, reason: 'RESERVED_BITS' }]);
      });

      it('holds an assembler violation too (8.1: invalid UTF-8 after a complete message): 1007 after the echo', () => {
        const c = server();
        c.receiveData(
          concatBytes([to('server', frame(0x1, 'ok')), to('server', frame(0x1, Uint8Array.of(0xff)))]),
        );
        // The bad frame was read whole (its frame event comes); the message before it waits.
        expect(types(c.events())).toEqual(['frame', 'message', 'frame']);
        c.sendText('ok');
        expect(types(c.events())).toEqual(['frame', 'error', 'frame', 'close']);
        const out = written(c);
        expect(out.map((f) => f.opcode)).toEqual([0x1, 0x8]);
        expect(closeOf(out[1]!).code).toBe(1007);
      });
    });

    it('answers an empty close with an empty close and reports 1005', () => {
      const c = server();
      c.receiveData(to('server', frame(0x8, '')));
      expect(written(c).map((f) => hex(f.payload))).toEqual(['']);
      expect(c.events().at(-1)).toEqual({ kind: 'close', code: 1005, reason: '', wasClean: true });
    });

    it('client: echoes the server close, waits in CLOSING for the server to end TCP, then closes cleanly', () => {
      const c = client();
      c.receiveData(to('client', frame(0x8, Uint8Array.of(0x03, 0xe9))));
      expect(written(c).map(closeOf)).toEqual([{ opcode: 8, code: 1001, reason: '' }]);
      expect(c.readyState).toBe('CLOSING');
      expect(c.shouldCloseTransport).toBe(false);
      expect(types(c.events())).toEqual(['frame', 'frame']);
      c.receiveEof();
      expect(c.readyState).toBe('CLOSED');
      expect(c.events()).toEqual([{ kind: 'close', code: 1001, reason: '', wasClean: true }]);
    });

    it('client-initiated: close() sends the close, the server answer completes the handshake', () => {
      const c = client();
      expect(c.close(1000, 'done')).toBe(true);
      expect(c.readyState).toBe('CLOSING');
      expect(written(c).map(closeOf)).toEqual([{ opcode: 8, code: 1000, reason: 'done' }]);
      c.receiveData(to('client', frame(0x8, Uint8Array.of(0x03, 0xe8))));
      expect(c.dataToSend()).toEqual([]); // nothing echoed twice
      c.receiveEof();
      expect(c.events().filter((e) => e.kind === 'close')).toEqual([
        { kind: 'close', code: 1000, reason: '', wasClean: true },
      ]);
    });

    it('server-initiated: close() then the client echo closes TCP on the server side', () => {
      const c = server();
      c.close(4000, 'go');
      expect(c.shouldCloseTransport).toBe(false);
      c.receiveData(to('server', frame(0x8, Uint8Array.of(0x0f, 0xa0, ...text('go')))));
      expect(c.shouldCloseTransport).toBe(true);
      expect(c.events().at(-1)).toEqual({ kind: 'close', code: 4000, reason: 'go', wasClean: true });
    });

    it('close() without a code sends an empty close frame', () => {
      const c = server();
      c.close();
      expect(c.dataToSend().map(hex)).toEqual(['8800']);
    });

    it('close() refuses codes that must not be sent and reasons over 123 bytes', () => {
      expect(() => server().close(1005)).toThrow(
        expect.objectContaining({ code: 'CLOSE_CODE_NOT_SENDABLE' }) as Error,
      );
      expect(() => server().close(1000, 'x'.repeat(124))).toThrow(
        expect.objectContaining({ code: 'CLOSE_REASON_TOO_LONG' }) as Error,
      );
      expect(server().close(1000, 'x'.repeat(123))).toBe(true);
    });

    it('reports 1006 when TCP ends without a close frame', () => {
      const c = server();
      c.receiveEof();
      expect(c.events()).toEqual([{ kind: 'close', code: 1006, reason: '', wasClean: false }]);
      expect(c.readyState).toBe('CLOSED');
      expect(c.closeCode).toBe(1006);
    });

    it('reports 1006 when TCP ends after our close but before the answer', () => {
      const c = client();
      c.close(1000);
      c.receiveEof();
      expect(c.events().at(-1)).toEqual({ kind: 'close', code: 1006, reason: '', wasClean: false });
    });

    it('ignores data that arrives after a close frame, in the same chunk or later', () => {
      const c = server();
      const close = to('server', frame(0x8, Uint8Array.of(0x03, 0xe8)));
      const after = to('server', frame(0x1, 'late'));
      c.receiveData(Uint8Array.from([...close, ...after]));
      c.receiveData(to('server', frame(0x9, 'x')));
      expect(types(c.events())).toEqual(['frame', 'frame', 'close']);
      expect(written(c)).toHaveLength(1);
    });

    it('does nothing (returns false) when sending after close, like WHATWG send() in CLOSING', () => {
      const c = client();
      c.close(1000);
      c.dataToSend();
      expect(c.sendText('x')).toBe(false);
      expect(c.sendBinary(new Uint8Array(1))).toBe(false);
      expect(c.ping()).toBe(false);
      expect(c.pong()).toBe(false);
      expect(c.close(1000)).toBe(false);
      expect(c.dataToSend()).toEqual([]);
    });

    it('does not answer a ping once its own close was sent', () => {
      const c = client();
      c.close(1000);
      c.dataToSend();
      c.receiveData(to('client', frame(0x9, 'x')));
      expect(c.dataToSend()).toEqual([]);
    });

    it('a raw close frame sent with sendFrame counts as our close', () => {
      const c = client();
      c.sendFrame(frame(0x8, Uint8Array.of(0x03, 0xe8), { maskKey: KEY }));
      expect(c.readyState).toBe('CLOSING');
      expect(c.sendText('x')).toBe(false);
    });

    it('records when closing started, from the injected clock', () => {
      const c = new Connection({ role: 'server', clock: () => 1234 });
      c.close(1000);
      expect(c.closingSince).toBe(1234);
    });
  });

  describe('violations fail the connection with the right close code in the bytes written (§7.1.7)', () => {
    const cases: Array<[string, Role, Uint8Array, number, string]> = [
      ['an unmasked client frame', 'server', encodeFrame(frame(0x1, 'x')), 1002, 'UNMASKED_CLIENT_FRAME'],
      [
        'a masked server frame',
        'client',
        encodeFrame(frame(0x1, 'x', { maskKey: KEY })),
        1002,
        'MASKED_SERVER_FRAME',
      ],
      ['a reserved opcode', 'server', to('server', frame(0x3, 'x')), 1002, 'INVALID_OPCODE'],
      [
        'RSV1 without permessage-deflate',
        'server',
        to('server', frame(0x1, 'x', { rsv1: true })),
        1002,
        'RESERVED_BITS',
      ],
      [
        'a fragmented control frame',
        'server',
        to('server', frame(0x9, 'x', { fin: false })),
        1002,
        'FRAGMENTED_CONTROL_FRAME',
      ],
      [
        'a 126-byte ping',
        'server',
        to('server', frame(0x9, new Uint8Array(126))),
        1002,
        'CONTROL_FRAME_TOO_LONG',
      ],
      [
        'a continuation with no message started',
        'server',
        to('server', frame(0x0, 'x')),
        1002,
        'UNEXPECTED_CONTINUATION',
      ],
      [
        'a new message before the fragmented one ended',
        'server',
        Uint8Array.from([...to('server', frame(0x1, 'a', { fin: false })), ...to('server', frame(0x2, 'b'))]),
        1002,
        'EXPECTED_CONTINUATION',
      ],
      [
        'a continuation with no message started, declaring more than the limit (5.4 before 10.4)',
        'server',
        Uint8Array.from([0x80, 0xff, 0, 0, 0, 1, 0, 0, 0, 0, ...KEY]),
        1002,
        'UNEXPECTED_CONTINUATION',
      ],
      [
        'a continuation with no message started, declaring more than 2^53 - 1 bytes',
        'server',
        Uint8Array.from([0x80, 0xff, 0, 0x40, 0, 0, 0, 0, 0, 0, ...KEY]),
        1002,
        'UNEXPECTED_CONTINUATION',
      ],
      [
        'a new message over the limit before the fragmented one ended',
        'server',
        Uint8Array.from([
          ...to('server', frame(0x1, 'a', { fin: false })),
          0x82,
          0xff,
          0,
          0,
          0,
          1,
          0,
          0,
          0,
          0,
        ]),
        1002,
        'EXPECTED_CONTINUATION',
      ],
      [
        'a 1-byte close payload',
        'server',
        to('server', frame(0x8, Uint8Array.of(3))),
        1002,
        'INVALID_CLOSE_PAYLOAD',
      ],
      [
        'close code 1005 on the wire',
        'server',
        to('server', frame(0x8, Uint8Array.of(0x03, 0xed))),
        1002,
        'INVALID_CLOSE_CODE',
      ],
      [
        'close code 999',
        'client',
        to('client', frame(0x8, Uint8Array.of(0x03, 0xe7))),
        1002,
        'INVALID_CLOSE_CODE',
      ],
      [
        'a close reason that is not UTF-8',
        'server',
        to('server', frame(0x8, Uint8Array.of(0x03, 0xe8, 0xff))),
        1007,
        'INVALID_CLOSE_REASON',
      ],
      [
        'invalid UTF-8 in a text message',
        'server',
        to('server', frame(0x1, Uint8Array.of(0x61, 0xc0, 0x80))),
        1007,
        'INVALID_UTF8',
      ],
      [
        'a text message ending inside a character',
        'client',
        to('client', frame(0x1, Uint8Array.of(0xe2, 0x82))),
        1007,
        'INVALID_UTF8',
      ],
      ['a non-minimal 16-bit length', 'client', fromHex('817e0005'), 1002, 'NON_MINIMAL_LENGTH'],
    ];
    for (const [what, role, bytes, code, errorCode] of cases) {
      it(`fails with ${code} on ${what}`, () => {
        const c = role === 'server' ? server() : client();
        c.receiveData(bytes);
        const events = c.events();
        const error = events.find((e) => e.kind === 'error');
        expect(error?.kind === 'error' && error.error.code).toBe(errorCode);
        expect(written(c).map(closeOf)).toEqual([{ opcode: 8, code, reason: errorCode }]);
        expect(events.at(-1)).toEqual({ kind: 'close', code: 1006, reason: '', wasClean: false });
        expect(types(events).filter((t) => t === 'error' || t === 'close')).toEqual(['error', 'close']);
        expect(c.readyState).toBe('CLOSED');
        expect(c.shouldCloseTransport).toBe(true);
      });
    }

    it('fails with 1009 when one frame is over maxMessageSize, before its payload arrives', () => {
      const c = server({ maxMessageSize: 10 });
      const bytes = to('server', frame(0x2, new Uint8Array(11)));
      c.receiveData(bytes.subarray(0, 2)); // just the header
      expect(written(c).map(closeOf)).toEqual([{ opcode: 8, code: 1009, reason: 'MESSAGE_TOO_BIG' }]);
    });

    it('fails with 1009 when fragments add up to more than maxMessageSize', () => {
      const c = server({ maxMessageSize: 10 });
      for (const f of encodeMessage('client', 0x2, new Uint8Array(11), {
        fragments: 3,
        entropy: fixedEntropy(),
      }))
        c.receiveData(f.bytes);
      expect(written(c).map(closeOf)).toEqual([{ opcode: 8, code: 1009, reason: 'MESSAGE_TOO_BIG' }]);
    });

    it('accepts a message of exactly maxMessageSize', () => {
      const c = server({ maxMessageSize: 10 });
      for (const f of encodeMessage('client', 0x2, new Uint8Array(10), {
        fragments: 3,
        entropy: fixedEntropy(),
      }))
        c.receiveData(f.bytes);
      expect(c.events().filter((e) => e.kind === 'message')).toHaveLength(1);
    });

    it('fails with 1007 at the first invalid fragment, before the message ends', () => {
      const c = server();
      c.receiveData(to('server', frame(0x1, Uint8Array.of(0xed, 0xa0), { fin: false }))); // a surrogate
      expect(written(c).map(closeOf)[0]?.code).toBe(1007);
    });

    it('fail() by the application sends the code (e.g. 1008 from a rate limiter)', () => {
      const c = server();
      c.fail('POLICY_VIOLATION', 'rate');
      expect(written(c).map(closeOf)).toEqual([{ opcode: 8, code: 1008, reason: 'POLICY_VIOLATION' }]);
      expect(types(c.events())).toEqual(['error', 'frame', 'close']);
    });

    it('fail() with INTERNAL sends 1011 with no reason (no internals leak)', () => {
      const c = server();
      c.fail('INTERNAL', 'TypeError: x is undefined at /srv/app.js:12');
      expect(written(c).map(closeOf)).toEqual([{ opcode: 8, code: 1011, reason: '' }]);
    });

    it('after failing, nothing more is read and no second close is sent', () => {
      const c = server();
      c.receiveData(encodeFrame(frame(0x1, 'x')));
      c.dataToSend();
      c.receiveData(to('server', frame(0x9, 'x')));
      c.fail('INTERNAL');
      c.receiveEof();
      expect(c.dataToSend()).toEqual([]);
      expect(c.events().filter((e) => e.kind === 'close')).toHaveLength(1);
    });

    it('a violation after our close was sent sends no second close', () => {
      const c = server();
      c.close(1000);
      c.dataToSend();
      c.receiveData(encodeFrame(frame(0x1, 'x'))); // unmasked
      expect(c.dataToSend()).toEqual([]);
      expect(c.events().at(-1)).toEqual({ kind: 'close', code: 1006, reason: '', wasClean: false });
    });
  });

  describe('frameEvents option', () => {
    /** A scripted exchange: messages (one fragmented, with a ping inside), a pong, our sends, a close. */
    function exchange(frameEvents: boolean | undefined): { events: ConnectionEvent[]; wire: string[] } {
      const c = new Connection({ role: 'server', ...(frameEvents === undefined ? {} : { frameEvents }) });
      const events: ConnectionEvent[] = [];
      const wire: string[] = [];
      const drain = () => {
        events.push(...c.events());
        wire.push(...c.dataToSend().map(hex));
      };
      c.receiveData(to('server', frame(0x1, 'Hello')));
      c.receiveData(
        Uint8Array.from([
          ...to('server', frame(0x2, Uint8Array.of(1), { fin: false })),
          ...to('server', frame(0x9, 'p')),
          ...to('server', frame(0x0, Uint8Array.of(2))),
        ]),
      );
      drain();
      c.sendText('hi');
      c.ping('x');
      c.receiveData(to('server', frame(0xa, 'x')));
      drain();
      c.receiveData(to('server', frame(0x8, Uint8Array.of(0x03, 0xe8))));
      drain();
      return { events, wire };
    }

    it("emits a 'frame' event for each frame read and written by default", () => {
      const { events } = exchange(undefined);
      expect(
        events
          .filter((e) => e.kind === 'frame')
          .map((e) => e.kind === 'frame' && `${e.from} ${e.frame.opcode}`),
      ).toEqual([
        'client 1',
        'client 2',
        'client 9',
        'server 10',
        'client 0',
        'server 1',
        'server 9',
        'client 10',
        'client 8',
        'server 8',
      ]);
      expect(exchange(true)).toEqual(exchange(undefined));
    });

    it("frameEvents: false drops only the 'frame' events: same other events, same bytes written", () => {
      const on = exchange(true);
      const off = exchange(false);
      expect(off.events.some((e) => e.kind === 'frame')).toBe(false);
      expect(off.events).toEqual(on.events.filter((e) => e.kind !== 'frame'));
      expect(off.wire).toEqual(on.wire);
      expect(types(off.events)).toEqual(['open', 'message', 'ping', 'message', 'pong', 'close']);
    });

    it('frameEvents: false reads masked payloads in place and writes big payloads without copying them', () => {
      const big = new Uint8Array(5000).map((_, i) => (i * 7) & 0xff);
      const c = new Connection({ role: 'server', frameEvents: false });
      c.events();
      const chunk = to('server', frame(0x2, big));
      c.receiveData(chunk);
      const [message] = c.events();
      if (message?.kind !== 'message') throw new Error(String(message?.kind));
      const data = message.data as Uint8Array;
      expect(data.buffer).toBe(chunk.buffer);
      expect(digest(data)).toBe(digest(big));

      c.sendBinary(data);
      const out = c.dataToSend();
      expect(out).toHaveLength(2);
      expect(hex(out[0]!)).toBe('827e1388'); // FIN binary, unmasked, 16-bit length 5000
      expect(out[1]).toBe(data);
      c.sendBinary(big.subarray(0, 4096));
      c.sendText('small');
      expect(c.dataToSend()).toHaveLength(2); // each in one array

      const withEvents = new Connection({ role: 'server' });
      withEvents.sendBinary(big);
      expect(withEvents.dataToSend()).toHaveLength(1);
    });

    it('holdsInput says while memory it was given may still be referenced (a reused read buffer)', () => {
      const c = new Connection({ role: 'server', frameEvents: false });
      c.events();
      expect(c.holdsInput).toBe(false);
      const whole = to('server', frame(0x2, new Uint8Array(5000).fill(7)));

      // Half a frame: the decoder keeps a view of the chunk.
      c.receiveData(whole.slice(0, 2500));
      expect(c.holdsInput).toBe(true);
      c.receiveData(whole.slice(2500));
      // The message waits in events() as a view of the chunk.
      expect(c.holdsInput).toBe(true);
      const [message] = c.events();
      expect(c.holdsInput).toBe(false);
      // Echoed as it lies: queued until dataToSend() takes it.
      c.sendBinary((message as { data: Uint8Array }).data);
      expect(c.holdsInput).toBe(true);
      c.dataToSend();
      expect(c.holdsInput).toBe(false);

      // 5.4: a first fragment is kept until the message's last one.
      c.receiveData(to('server', frame(0x2, Uint8Array.of(1, 2), { fin: false })));
      expect(c.events()).toEqual([]);
      expect(c.holdsInput).toBe(true);
      c.receiveData(to('server', frame(0x0, Uint8Array.of(3))));
      c.events();
      expect(c.holdsInput).toBe(false);

      // 5.5.1: a Close read while a message waits is held (with its bytes) for the next events().
      c.receiveData(
        concatBytes([to('server', frame(0x1, 'bye')), to('server', frame(0x8, Uint8Array.of(3, 232)))]),
      );
      c.events();
      expect(c.holdsInput).toBe(true);
      c.events();
      c.dataToSend();
      expect(c.holdsInput).toBe(false);
    });

    it('events are plain objects with the keys in the documented order', () => {
      const { events } = exchange(true);
      const frameEvent = events.find((e) => e.kind === 'frame')!;
      const message = events.find((e) => e.kind === 'message')!;
      expect(Object.getPrototypeOf(frameEvent)).toBe(Object.prototype);
      expect(Object.keys(frameEvent)).toEqual(['kind', 'from', 'frame', 'bytes']);
      expect(Object.getPrototypeOf(message)).toBe(Object.prototype);
      expect(Object.keys(message)).toEqual(['kind', 'opcode', 'data']);
    });
  });

  describe('UTF-8 is validated across fragment and chunk boundaries, failing as the invalid byte arrives (§8.1)', () => {
    /** 100 000 payload bytes announced in a 64-bit length, masked for a server reader. */
    function bigTextHeader(role: Role, opcode = 0x1, fin = true): Uint8Array {
      const b0 = (fin ? 0x80 : 0) | opcode;
      return role === 'server'
        ? fromHex(`${b0.toString(16).padStart(2, '0')}ff00000000000186a0${hex(KEY)}`)
        : fromHex(`${b0.toString(16).padStart(2, '0')}7f00000000000186a0`);
    }
    /** Payload bytes as they go on the wire after `header` (masked from payload offset `at`). */
    function wire(role: Role, plain: Uint8Array, at = 0): Uint8Array {
      const out = plain.slice();
      if (role === 'server') for (let i = 0; i < out.length; i++) out[i]! ^= KEY[(at + i) & 3]!;
      return out;
    }
    const errorOf = (events: ConnectionEvent[]) => events.find((e) => e.kind === 'error');

    for (const role of ['server', 'client'] as const) {
      it(`fails with 1007 as soon as the invalid byte arrives, before the frame is complete (${role})`, () => {
        const c = role === 'server' ? server() : client();
        const header = bigTextHeader(role);
        c.receiveData(header.slice());
        c.receiveData(wire(role, text('Hi'), 0));
        expect(c.readyState).toBe('OPEN');
        expect(c.dataToSend()).toEqual([]);
        // 'H' 'i' then C0 (an overlong lead byte): 99 995 bytes are still to come.
        c.receiveData(wire(role, Uint8Array.of(0x21, 0xc0, 0x80), 2));
        const events = c.events();
        const error = errorOf(events);
        expect(
          error?.kind === 'error' && [
            error.error.code,
            error.error.closeCode,
            (error.error as { byteOffset?: number }).byteOffset,
          ],
        ).toEqual(['INVALID_UTF8', 1007, header.length + 3]);
        // The Close frame with 1007 is in dataToSend right after the bad chunk.
        expect(written(c).map(closeOf)).toEqual([{ opcode: 8, code: 1007, reason: 'INVALID_UTF8' }]);
        expect(events.at(-1)).toEqual({ kind: 'close', code: 1006, reason: '', wasClean: false });
        expect(c.shouldCloseTransport).toBe(true);
      });
    }

    it('fails as the bad byte arrives in a continuation frame that continues a character from the previous fragment', () => {
      const c = server();
      c.receiveData(to('server', frame(0x1, Uint8Array.of(0x61, 0xe2, 0x82), { fin: false }))); // 'a' and 2/3 of '€'
      expect(c.readyState).toBe('OPEN');
      c.receiveData(bigTextHeader('server', 0x0, true));
      c.receiveData(wire('server', Uint8Array.of(0x41), 0)); // 'A' where the last byte of '€' belongs
      const error = errorOf(c.events());
      expect(error?.kind === 'error' && error.error.code).toBe('INVALID_UTF8');
      expect(written(c).map(closeOf)).toEqual([{ opcode: 8, code: 1007, reason: 'INVALID_UTF8' }]);
    });

    it('does not validate a big binary frame as text while it streams in', () => {
      const c = server();
      c.receiveData(bigTextHeader('server', 0x2));
      c.receiveData(wire('server', Uint8Array.of(0xff, 0xc0, 0x80), 0));
      expect(c.readyState).toBe('OPEN');
      expect(c.events()).toEqual([]);
    });

    it('a valid text frame split at every position gives the same message; an invalid one fails on the chunk holding the bad byte', () => {
      const good = text('héllo wörld € 😀 '.repeat(12)); // > 125 bytes: a 16-bit length
      const bad = good.slice();
      const badAt = 101;
      bad[badAt] = 0xff;
      for (const role of ['server', 'client'] as const) {
        const goodBytes = to(role, frame(0x1, good));
        const badBytes = to(role, frame(0x1, bad));
        const h = goodBytes.length - good.length;
        for (let cutAt = 1; cutAt < goodBytes.length; cutAt++) {
          const ok = role === 'server' ? server() : client();
          ok.receiveData(goodBytes.slice(0, cutAt));
          ok.receiveData(goodBytes.slice(cutAt));
          expect(ok.events().filter((e) => e.kind === 'message')).toEqual([
            { kind: 'message', opcode: 0x1, data: new TextDecoder().decode(good) },
          ]);

          const ko = role === 'server' ? server() : client();
          ko.receiveData(badBytes.slice(0, cutAt));
          const early = errorOf(ko.events());
          if (cutAt > h + badAt) {
            expect(
              early?.kind === 'error' && (early.error as { byteOffset?: number }).byteOffset,
              `cut at ${cutAt}`,
            ).toBe(h + badAt);
            expect(written(ko).map(closeOf)).toEqual([{ opcode: 8, code: 1007, reason: 'INVALID_UTF8' }]);
          } else {
            expect(early, `cut at ${cutAt}`).toBeUndefined();
            ko.receiveData(badBytes.slice(cutAt));
            const late = errorOf(ko.events());
            expect(
              late?.kind === 'error' && (late.error as { byteOffset?: number }).byteOffset,
              `cut at ${cutAt}`,
            ).toBe(h + badAt);
          }
        }
      }
    });

    /** The oracle: the platform's fatal decoder. Index of the first byte that makes the text invalid, the length if it ends inside a character, -1 if valid. */
    function oracle(bytes: Uint8Array): number {
      const ok = (n: number, stream: boolean): boolean => {
        try {
          new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, n), { stream });
          return true;
        } catch {
          return false;
        }
      };
      if (ok(bytes.length, false)) return -1;
      let lo = 0; // largest prefix known to be hopeful
      let hi = bytes.length; // a prefix known to be hopeless, or the whole (truncated)
      if (ok(hi, true)) return bytes.length;
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (ok(mid, true)) lo = mid;
        else hi = mid;
      }
      return hi - 1;
    }

    it('property: random text split into random fragments and chunks gets the verdict of one-shot validation, at the chunk holding the first bad byte', () => {
      const arbText = fc.oneof(
        fc.string({ unit: 'binary', maxLength: 300 }).map((s) => new TextEncoder().encode(s)),
        fc.uint8Array({ maxLength: 300 }),
        // valid text with one byte replaced
        fc
          .tuple(
            fc.string({ unit: 'binary', minLength: 1, maxLength: 300 }),
            fc.nat(),
            fc.integer({ min: 0x80, max: 0xff }),
          )
          .map(([s, i, b]) => {
            const bytes = new TextEncoder().encode(s);
            bytes[i % bytes.length] = b;
            return bytes;
          }),
      );
      fc.assert(
        fc.property(
          arbText,
          fc.array(fc.nat(), { maxLength: 4 }),
          fc.array(fc.nat(), { maxLength: 6 }),
          fc.constantFrom<Role>('server', 'client'),
          (payload, fragmentCuts, chunkCuts, role) => {
            // Fragments of the message (§5.4), then the wire cut into chunks anywhere.
            const points = [...new Set(fragmentCuts.map((x) => x % (payload.length + 1)))].sort(
              (a, b) => a - b,
            );
            const sizes: number[] = [];
            let prev = 0;
            for (const p of [...points, payload.length]) {
              sizes.push(p - prev);
              prev = p;
            }
            const frames = encodeMessage(role === 'server' ? 'client' : 'server', 0x1, payload, {
              fragments: sizes,
              entropy: fixedEntropy(),
            });
            const all = Uint8Array.from(frames.flatMap((f) => [...f.bytes]));
            // Where each payload byte sits on the wire.
            const wireIndex: number[] = [];
            let at = 0;
            for (const f of frames) {
              const h = f.bytes.length - f.frame.payload.length;
              for (let i = 0; i < f.frame.payload.length; i++) wireIndex.push(at + h + i);
              at += f.bytes.length;
            }
            const cuts = [...new Set(chunkCuts.map((x) => x % (all.length + 1)))].sort((a, b) => a - b);
            const chunks: Uint8Array[] = [];
            prev = 0;
            for (const p of [...cuts, all.length]) {
              chunks.push(all.slice(prev, p));
              prev = p;
            }

            const c = role === 'server' ? server() : client();
            let failedAtChunkEnd = -1;
            let end = 0;
            for (const chunk of chunks) {
              end += chunk.length;
              c.receiveData(chunk);
              if (failedAtChunkEnd === -1 && c.events().some((e) => e.kind === 'error'))
                failedAtChunkEnd = end;
            }
            const expected = oracle(payload);
            if (expected === -1) {
              expect(failedAtChunkEnd).toBe(-1);
              expect(c.readyState).toBe('OPEN');
              return;
            }
            expect(c.readyState).toBe('CLOSED');
            expect(written(c).map(closeOf)).toEqual([{ opcode: 8, code: 1007, reason: 'INVALID_UTF8' }]);
            // As early as possible: on the chunk that holds the first invalid byte (or, for text
            // that ends inside a character, the last byte of the message).
            const decisive = expected === payload.length ? all.length - 1 : wireIndex[expected]!;
            const chunkEnd = [...cuts, all.length].find((p) => p > decisive)!;
            expect(failedAtChunkEnd).toBe(chunkEnd);
          },
        ),
        { numRuns: 1500 },
      );
    }, 30_000);
  });
});

describe('no byte of a message changes between the wire and the API', () => {
  /** Text that often starts with U+FEFF (which a careless UTF-8 decoder drops), or bytes. */
  const message = fc.oneof(
    fc
      .tuple(fc.constantFrom('', '\uFEFF', '\uFEFF\uFEFF'), fc.string({ unit: 'binary' }))
      .map(([bom, s]) => bom + s),
    fc.uint8Array({ maxLength: 300 }),
  );

  it('every valid text and binary message arrives unchanged, both roles, any fragmentation (5.4, 5.6)', () => {
    fc.assert(
      fc.property(
        message,
        fc.constantFrom<Role>('client', 'server'),
        fc.integer({ min: 1, max: 5 }),
        (data, role, fragments) => {
          const sender = role === 'client' ? client() : server();
          const receiver = role === 'client' ? server() : client();
          const options = {
            fragments: Math.min(
              fragments,
              Math.max(1, typeof data === 'string' ? text(data).length : data.length),
            ),
          };
          if (typeof data === 'string') sender.sendText(data, options);
          else sender.sendBinary(data, options);
          for (const chunk of sender.dataToSend()) receiver.receiveData(chunk);
          const got = receiver.events().filter((e) => e.kind === 'message');
          expect(got).toHaveLength(1);
          const e = got[0]!;
          expect(e.opcode).toBe(typeof data === 'string' ? 1 : 2);
          if (typeof data === 'string') expect(e.data).toBe(data);
          else expect(hex(e.data as Uint8Array)).toBe(hex(data));
        },
      ),
      { numRuns: 1500 },
    );
  });

  it("a text message starting with U+FEFF keeps it: '\\uFEFFhello' is 8 bytes on the wire and 6 code units in the API", () => {
    const c = server();
    c.receiveData(to('server', frame(0x1, fromHex('efbbbf68656c6c6f'))));
    expect(c.events()).toContainEqual(expect.objectContaining({ kind: 'message', data: '\uFEFFhello' }));
  });
});
