import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { WireEvent } from '../protocol/types.ts';
import { encodeTapMessage, FormatError, readTapMessage, readWireEvent } from './wire-json.ts';

const EVERY_KIND: WireEvent[] = [
  { kind: 'handshake', t: 1, from: 'client', text: 'GET / HTTP/1.1\r\n\r\n' },
  { kind: 'frame', t: 2, from: 'server', bytes: new Uint8Array([0x81, 0x01, 0x61]) },
  { kind: 'bytes', t: 3, from: 'client', bytes: new Uint8Array([0xff]), note: 'over the limit' },
  { kind: 'state', t: 4, state: 'CLOSING' },
  { kind: 'error', t: 5, code: 'too-big', message: '1009' },
  { kind: 'close', t: 6, code: 1000, reason: 'bye', wasClean: true },
  { kind: 'eof', t: 7, from: 'server' },
];

const problem = (text: string): string => {
  try {
    readTapMessage(text);
  } catch (error) {
    expect(error).toBeInstanceOf(FormatError);
    return (error as Error).message;
  }
  throw new Error(`read without a problem: ${text}`);
};

describe('the byte tap message, written by the server and read by the page', () => {
  it('reads back every kind of wire event as written', () => {
    for (const event of EVERY_KIND)
      expect(readTapMessage(encodeTapMessage('c3', event))).toEqual({ conn: 'c3', event });
  });

  it('names the field that is wrong, and the connection', () => {
    expect(problem('{"kind":"eof","t":1,"from":"client"}')).toBe(
      'tap message: "conn" must be the connection id; it is missing',
    );
    expect(problem('{"conn":"c1","kind":"frame","t":1,"from":"client","bytes":"*"}')).toBe(
      'tap message (c1): "bytes" is not valid base64 (standard alphabet, with padding)',
    );
    expect(problem('{"conn":"c1","kind":"close","t":1,"code":70000,"wasClean":true}')).toMatch(
      /^tap message \(c1\): "code" must be an integer 0-65535; got 70000$/,
    );
    expect(problem('{"conn":"c1","kind":"nope","t":1}')).toMatch(/unknown kind "nope"/);
    expect(problem('[1]')).toBe('tap message: must be an object');
    expect(problem('{"conn":')).toMatch(/^tap message is not JSON/);
  });

  it('throws nothing but FormatError, whatever the text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        try {
          readTapMessage(text);
        } catch (error) {
          expect(error).toBeInstanceOf(FormatError);
        }
      }),
    );
  });

  it('reads a wire event of a saved file the same way (one reader for both)', () => {
    expect(() => readWireEvent({ kind: 'state', t: 1, state: 'OPENED' }, 'event 4')).toThrow(
      'event 4: "state" must be CONNECTING, OPEN, CLOSING or CLOSED; got "OPENED"',
    );
  });
});
