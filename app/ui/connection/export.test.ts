import { describe, expect, it } from 'vitest';
import { parseSessionFile, sessionToHar, sessionToJson } from './export.ts';
import { echoSession } from './fixtures.ts';
import { SessionLog } from './session-log.ts';
import { FormatError } from './session-json.ts';

const logOf = (events = echoSession()) => {
  const log = new SessionLog();
  log.append(events);
  return log;
};

describe('session JSON', () => {
  it('round-trips every event, bytes included', () => {
    const events = echoSession();
    const [file] = parseSessionFile(sessionToJson('ws://example.test/echo', ['chat'], events));
    expect(file!.url).toBe('ws://example.test/echo');
    expect(file!.protocols).toEqual(['chat']);
    expect(file!.events).toEqual(events);
  });

  it('accepts a bare array of wire events', () => {
    const [file] = parseSessionFile(
      JSON.stringify([{ kind: 'frame', t: 1, from: 'server', bytes: 'gQVIZWxsbw==' }]),
    );
    expect(file!.events[0]).toMatchObject({
      kind: 'frame',
      from: 'server',
      bytes: Uint8Array.of(0x81, 5, 0x48, 0x65, 0x6c, 0x6c, 0x6f),
    });
  });

  const bad: [string, string, RegExp][] = [
    ['empty', '', /the file is empty/],
    ['not JSON', '{"format":', /^not JSON: /],
    ['wrong format', '{"format":"other"}', /not a session file/],
    [
      'wrong version',
      '{"format":"websocket-playground-session","version":9,"events":[]}',
      /version 9 is not supported/,
    ],
    [
      'events not an array',
      '{"format":"websocket-playground-session","version":1,"events":{}}',
      /"events" must be an array/,
    ],
    ['unknown kind', '[{"kind":"telepathy","t":1}]', /^event 1: unknown kind "telepathy"/],
    [
      'missing time',
      '[{"kind":"eof","from":"server"}]',
      /^event 1: "t" must be a time in milliseconds; it is missing/,
    ],
    [
      'bad side',
      '[{"kind":"frame","t":1,"from":"proxy","bytes":""}]',
      /^event 1: "from" must be "client" or "server"; got "proxy"/,
    ],
    [
      'bad base64',
      '[{"kind":"frame","t":1,"from":"client","bytes":"!!"}]',
      /^event 1: "bytes" is not valid base64/,
    ],
    [
      'bad state',
      '[{"kind":"state","t":1,"state":"HALF_OPEN"}]',
      /^event 1: "state" must be CONNECTING, OPEN, CLOSING or CLOSED/,
    ],
    [
      'bad close code',
      '[{"kind":"close","t":1,"code":70000,"wasClean":true}]',
      /^event 1: "code" must be an integer 0-65535/,
    ],
    [
      'bad api data',
      '[{"kind":"api","t":1,"type":"message","data":5}]',
      /^event 1: "data" must be a string or \{type, bytes\}/,
    ],
    ['a number', '42', /expected an object/],
    [
      'time going back',
      '[{"kind":"eof","t":200000,"from":"server"},{"kind":"eof","t":1,"from":"server"}]',
      /^event 2: its time goes back 200 s/,
    ],
  ];
  for (const [name, text, message] of bad) {
    it(`refuses a malformed file (${name}) with a specific message`, () => {
      let error: unknown;
      try {
        parseSessionFile(text);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(FormatError);
      expect((error as Error).message).toMatch(message);
    });
  }
});

describe('HAR', () => {
  it("exports Chrome's _webSocketMessages: data messages only, fragments joined, binary as base64", () => {
    const har = JSON.parse(sessionToHar('ws://example.test/echo', logOf()));
    const entry = har.log.entries[0];
    expect(entry._resourceType).toBe('websocket');
    expect(entry.request.url).toBe('ws://example.test/echo');
    expect(entry.response.status).toBe(101);
    expect(entry.request.headers).toContainEqual({
      name: 'Sec-WebSocket-Key',
      value: 'dGhlIHNhbXBsZSBub25jZQ==',
    });
    expect(entry._webSocketMessages).toEqual([
      { type: 'send', time: 1_700_000_000.01, opcode: 1, data: 'hello' },
      { type: 'receive', time: 1_700_000_000.011, opcode: 1, data: 'hello' },
      { type: 'receive', time: 1_700_000_000.031, opcode: 1, data: 'Hello' },
    ]);
  });

  it('imports a HAR: one frame per message, client frames masked with a zero key, and says so', () => {
    const text = JSON.stringify({
      log: {
        entries: [
          { request: { url: 'ws://a.test/x' }, response: {} },
          {
            startedDateTime: '2024-01-01T00:00:00.000Z',
            request: { url: 'wss://b.test/live?x=1', headers: [{ name: 'Host', value: 'b.test' }] },
            response: {
              status: 101,
              statusText: 'Switching Protocols',
              headers: [{ name: 'Upgrade', value: 'websocket' }],
            },
            _webSocketMessages: [
              { type: 'send', time: 1704067200.5, opcode: 1, data: 'hi' },
              { type: 'receive', time: 1704067200.6, opcode: 2, data: 'AQID' },
            ],
          },
        ],
      },
    });
    const [file, ...rest] = parseSessionFile(text);
    expect(rest).toEqual([]);
    expect(file!.url).toBe('wss://b.test/live?x=1');
    expect(file!.notes[0]).toMatch(/masking key 00 00 00 00/);
    const log = logOf(file!.events);
    expect(log.request?.text).toBe('GET /live?x=1 HTTP/1.1\r\nHost: b.test\r\n\r\n');
    expect(log.frames.map((f) => [f.from, f.kind, f.masked, f.summary])).toEqual([
      ['client', 'text', true, 'TEXT "hi" · 2 B · masked'],
      ['server', 'binary', false, 'BINARY 0x01 02 03 · 3 B'],
    ]);
  });

  it('refuses malformed HAR messages precisely', () => {
    const har = (m: unknown) => JSON.stringify({ log: { entries: [{ _webSocketMessages: [m] }] } });
    expect(() => parseSessionFile(har({ type: 'send', time: 1, opcode: 9, data: '' }))).toThrow(
      'HAR entry 1, message 1: "opcode" must be 1 (text) or 2 (binary); got 9',
    );
    expect(() => parseSessionFile(har({ type: 'sent', time: 1, opcode: 1, data: '' }))).toThrow(
      /"type" must be "send" or "receive"/,
    );
    expect(() => parseSessionFile(har({ type: 'send', time: 1, opcode: 2, data: '%%' }))).toThrow(
      /binary "data" must be base64/,
    );
    expect(() => parseSessionFile(JSON.stringify({ log: { entries: [{}] } }))).toThrow(
      /no entry has "_webSocketMessages"/,
    );
  });
});
