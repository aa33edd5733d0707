import { describe, expect, test } from 'vitest';
import {
  parseClosePayload,
  parseRequest,
  parseResponse,
  validateClientRequest,
  validateServerResponse,
} from '../protocol/index.ts';
import { fail, pass } from './kit.ts';
import {
  chromiumRequest,
  closeFrameEvent,
  closePayload,
  connectionIn,
  expectFailure,
  frameBytes,
  observedOf,
  opened,
  refused,
  RESPONSE,
  serverConnection,
  serverOpened,
  serverUrl,
  T0,
  tasksUnderTest,
  trace,
} from './testing.ts';
import type { SessionEvent } from '../ui/connection/events.ts';
import type { LessonChecks, Trace } from './types.ts';

const KEY = 'x3JJHMbDL1EzLkh9GBhXDw==';

/** The engine's own reading of a request: what a server-mode check reads through the tap. */
function offered(request: string) {
  const parsed = parseRequest(request);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return { request: parsed.request, verdict: validateClientRequest(parsed.request, { protocols: ['chat'] }) };
}

describe('chromiumRequest: the GET of server mode', () => {
  test('is a valid opening handshake (4.2.1) to the dev server, from the page, offering permessage-deflate', () => {
    const { request, verdict } = offered(chromiumRequest('/echo?tap=Zk3_a'));
    expect(verdict.ok).toBe(true);
    expect(request.target).toBe('/echo?tap=Zk3_a');
    expect(request.headers['host']).toBe('127.0.0.1:5173');
    expect(request.headers['origin']).toBe('http://127.0.0.1:5173');
    expect(request.headers['sec-websocket-extensions']).toBe('permessage-deflate; client_max_window_bits');
    expect(request.headers['user-agent']).toMatch(/Chrome\/\d+/);
  });

  test('carries the sample key of 1.3 unless given another', () => {
    expect(offered(chromiumRequest('/echo')).request.headers['sec-websocket-key']).toBe(
      'dGhlIHNhbXBsZSBub25jZQ==',
    );
    expect(offered(chromiumRequest('/echo', { key: KEY })).request.headers['sec-websocket-key']).toBe(KEY);
  });

  test('names Sec-WebSocket-Protocol only when the page offered subprotocols, in its order', () => {
    expect(chromiumRequest('/echo')).not.toMatch(/Sec-WebSocket-Protocol/i);
    const { request, verdict } = offered(chromiumRequest('/echo', { protocols: ['superchat', 'chat'] }));
    expect(request.headers['sec-websocket-protocol']).toBe('superchat, chat');
    expect(verdict.ok && verdict.protocol).toBe('chat');
  });

  test("puts the tap's token in the GET's query, after the learner's own parameters", () => {
    expect(offered(chromiumRequest('/echo', { tap: 'Zk3_a' })).request.target).toBe('/echo?tap=Zk3_a');
    expect(offered(chromiumRequest('/close?code=4000', { tap: 'b2' })).request.target).toBe(
      '/close?code=4000&tap=b2',
    );
  });

  test("goes to another host when told (the learner's own server), still from the page's Origin", () => {
    const { request } = offered(chromiumRequest('/', { host: '127.0.0.1:6455' }));
    expect(request.headers['host']).toBe('127.0.0.1:6455');
    expect(request.headers['origin']).toBe('http://127.0.0.1:5173');
  });

  test('ends with the blank line that ends an HTTP head', () => {
    expect(chromiumRequest('/echo').endsWith('\r\n\r\n')).toBe(true);
    expect(chromiumRequest('/echo').split('\r\n\r\n')).toEqual([expect.any(String), '']);
  });
});

describe('serverOpened and serverConnection: an opening in server mode', () => {
  test('the 101 is the one the page accepts for the key it sent (4.1, 4.2.2); the default key gives RESPONSE', () => {
    const events = serverOpened(T0, '/echo', { key: KEY, protocols: ['chat'], protocol: 'chat' });
    const texts = events.flatMap((e) => (e.kind === 'handshake' ? [e.text] : []));
    expect(texts).toHaveLength(2);
    const response = parseResponse(texts[1]!);
    if (!response.ok) throw new Error(response.error.message);
    expect(validateServerResponse(response.response, { key: KEY, protocols: ['chat'] })).toMatchObject({
      ok: true,
      protocol: 'chat',
    });
    const plain = serverOpened(T0, '/echo').find((e) => e.kind === 'handshake' && e.from === 'server');
    expect(plain).toMatchObject({ text: RESPONSE });
  });

  test('a given response replaces ours, and the open event reports the chosen subprotocol', () => {
    const events = serverOpened(T0 + 5, '/echo', {
      response: 'HTTP/1.1 403 Forbidden\r\n\r\n',
      protocol: 'chat',
    });
    expect(events.find((e) => e.kind === 'handshake' && e.from === 'server')).toMatchObject({
      t: T0 + 7,
      text: 'HTTP/1.1 403 Forbidden\r\n\r\n',
    });
    expect(events.at(-1)).toMatchObject({ kind: 'api', type: 'open', protocol: 'chat' });
    expect(events[0]).toMatchObject({
      kind: 'api',
      type: 'create',
      t: T0 + 5,
      url: 'ws://127.0.0.1:5173/echo',
    });
  });

  test("the page's URL keeps no tap token; the GET does", () => {
    const c = serverConnection('c1', '/echo', [], { tap: 'Zk3_a' });
    expect(c.url).toBe('ws://127.0.0.1:5173/echo');
    expect(c.events.find((e) => e.kind === 'handshake')).toMatchObject({
      text: expect.stringMatching(/^GET \/echo\?tap=Zk3_a HTTP\/1\.1\r\n/),
    });
  });

  test('a connection opens at T0 unless told, then holds the events given, with what the page offered', () => {
    const frame = closeFrameEvent(T0 + 10, 'client', 1000);
    const c = serverConnection('c1', '/chat', [frame], { protocols: ['chat'], origin: 'code' });
    expect(c).toMatchObject({ id: 'c1', url: serverUrl('/chat'), protocols: ['chat'], origin: 'code' });
    expect(c.events[0]).toMatchObject({ t: T0 });
    expect(c.events.at(-1)).toBe(frame);
    expect(serverConnection('c2', '/echo', [], { t0: T0 + 50 }).events[0]).toMatchObject({ t: T0 + 50 });
    expect(serverConnection('c3', '/echo', [])).toMatchObject({ protocols: [], origin: 'lab' });
  });
});

describe('connectionIn: the same connection in either mode', () => {
  test("server mode: Chromium's GET to the dev server; loopback: the in-page network's URL and handshake", () => {
    const server = connectionIn('server', 'c1', '/echo', [], { origin: 'code' });
    expect(server).toEqual(serverConnection('c1', '/echo', [], { origin: 'code' }));
    const loop = connectionIn('loopback', 'c1', '/echo', [closeFrameEvent(T0 + 9, 'client', 1000)], {
      t0: T0 + 1,
    });
    expect(loop).toMatchObject({ url: 'ws://playground.local/echo', origin: 'lab' });
    expect(loop.events.slice(0, -1)).toEqual(opened(T0 + 1, 'ws://playground.local/echo'));
    expect(loop.events.at(-1)).toMatchObject({ kind: 'frame', t: T0 + 9 });
  });
});

describe('opened and refused: how an opening ends in the page', () => {
  const kinds = (events: SessionEvent[]) =>
    events.map((e) => (e.kind === 'api' ? `${e.type}${e.type === 'state' ? ` ${e.state}` : ''}` : e.kind));

  test('an opening that succeeded: the handshake, then OPEN and open; the create event lists the offers', () => {
    const events = opened(T0, 'ws://h/echo', { protocols: ['chat'], protocol: 'chat', extensions: 'x' });
    expect(kinds(events)).toEqual([
      'create',
      'state CONNECTING',
      'handshake',
      'handshake',
      'state OPEN',
      'open',
    ]);
    expect(events[0]).toMatchObject({ protocols: ['chat'] });
    expect(events.at(-1)).toMatchObject({ protocol: 'chat', extensions: 'x' });
  });

  test('a refused one (4.1): error, CLOSED, close 1006 not clean, the client ends TCP, and never open', () => {
    const events = refused(T0, 'ws://h/echo', { response: 'HTTP/1.1 101 Switching Protocols\r\n\r\n' });
    expect(kinds(events)).toEqual([
      'create',
      'state CONNECTING',
      'handshake',
      'handshake',
      'error',
      'state CLOSED',
      'close',
      'eof',
    ]);
    expect(events).toContainEqual(expect.objectContaining({ type: 'close', code: 1006, wasClean: false }));
    expect(serverOpened(T0, '/echo', { refused: true }).map((e) => e.kind)).not.toContain('frame');
    expect(kinds(serverOpened(T0, '/echo', { refused: true }))).not.toContain('open');
  });
});

describe('closePayload: what a CLOSE frame carries (5.5.1)', () => {
  test('the code in network byte order, then the reason in UTF-8', () => {
    expect([...closePayload(1000, 'done')]).toEqual([0x03, 0xe8, 0x64, 0x6f, 0x6e, 0x65]);
    expect(parseClosePayload(closePayload(4000, 'bye'))).toMatchObject({
      ok: true,
      code: 4000,
      reason: 'bye',
    });
  });

  test('writes what the engine refuses to send, for traces of broken peers', () => {
    expect([...closePayload(1005)]).toEqual([0x03, 0xed]);
    expect(closePayload()).toHaveLength(0);
    expect([...closePayload(undefined, 'x')]).toEqual([0x78]);
  });

  test('closeFrameEvent puts it in a CLOSE frame, masked from the client', () => {
    const e = closeFrameEvent(T0, 'client', 1001, 'away');
    expect(e).toMatchObject({ kind: 'frame', t: T0, from: 'client' });
    expect(e.kind === 'frame' && [...e.bytes]).toEqual([
      ...frameBytes('client', 0x8, closePayload(1001, 'away')),
    ]);
    expect(e.kind === 'frame' && e.bytes[0]).toBe(0x88);
  });
});

/** A failure that points at no frame, citing another RFC. */
const BARE = { expected: 'a connection', seen: 'none yet', rfc: 'RFC 7692 §7.1' };

/** Three tasks: one passes with a frame, one fails pointing at a field, one fails with no frame. */
const checks: LessonChecks = {
  tasks: [
    { id: 'passes', title: 'passes', check: () => pass('it did', { connection: 'c1', event: 0 }) },
    {
      id: 'fails',
      title: 'fails',
      check: () =>
        fail({
          expected: 'a TEXT frame',
          seen: 'a BINARY frame',
          rfc: 'RFC 6455 §5.6',
          frame: { connection: 'c1', event: 3, field: 'opcode' },
        }),
    },
    {
      id: 'bare',
      title: 'bare',
      check: () => fail(BARE),
    },
  ],
};
const empty: Trace = trace([]);

describe('tasksUnderTest: a lesson’s tasks bound for its tests', () => {
  const { run, failure, failureText, observed } = tasksUnderTest(checks);

  test('ids lists the tasks in order; expectAllPass holds only when every one passes', () => {
    expect(tasksUnderTest(checks).ids).toEqual(['passes', 'fails', 'bare']);
    const one: LessonChecks = { tasks: [checks.tasks[0]!] };
    tasksUnderTest(one).expectAllPass(empty);
    expect(() => tasksUnderTest(checks).expectAllPass(empty)).toThrow(/fails/);
  });

  test('run gives a task’s result, and an unknown id is a typo that throws', () => {
    expect(run('passes', empty)).toMatchObject({ ok: true, observed: 'it did' });
    expect(() => run('pases', empty)).toThrow('no task pases');
  });

  test('failure gives the whole failure, frame included; a task that passed throws with what it observed', () => {
    expect(failure('fails', empty).frame).toEqual({ connection: 'c1', event: 3, field: 'opcode' });
    expect(() => failure('passes', empty)).toThrow('passes passed: it did');
  });

  test('failureText gives the texts, and the field only where the failure points at one', () => {
    expect(failureText('fails', empty)).toEqual({
      expected: 'a TEXT frame',
      seen: 'a BINARY frame',
      rfc: 'RFC 6455 §5.6',
      field: 'opcode',
    });
    expect(failureText('bare', empty)).toEqual(BARE);
  });

  test('observed gives what a pass observed; a failure throws with its texts', () => {
    expect(observed('passes', empty)).toBe('it did');
    expect(observedOf(checks, 'passes', empty)).toBe('it did');
    expect(() => observed('fails', empty)).toThrow(
      'fails failed: expected a TEXT frame; seen a BINARY frame',
    );
  });
});

describe('expectFailure: the assertion on a failing task', () => {
  const { run } = tasksUnderTest(checks);

  test('holds for a failure whose texts contain (or match) the given ones and that cites RFC 6455', () => {
    expectFailure(run('fails', empty), 'TEXT', /BINARY frame$/);
    expectFailure(run('fails', empty), 'a TEXT frame', 'BINARY', /§5\.6$/);
  });

  test('fails the test on a pass, on other texts, and on another RFC or section', () => {
    expect(() => expectFailure(run('passes', empty), 'TEXT', 'BINARY')).toThrow(/passed: it did/);
    expect(() => expectFailure(run('fails', empty), 'CLOSE', 'BINARY')).toThrow();
    expect(() => expectFailure(run('fails', empty), 'TEXT', 'PING')).toThrow();
    expect(() => expectFailure(run('bare', empty), 'connection', 'none')).toThrow();
    expect(() => expectFailure(run('fails', empty), 'TEXT', 'BINARY', /§4\.[12]/)).toThrow();
  });
});
