import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  chromiumRequest,
  connection,
  expectFailure,
  opened,
  T0,
  tasksUnderTest,
  trace,
} from '../../app/lessons/testing.ts';
import type { ProbeKit, TaskResult, Trace, TraceConnection } from '../../app/lessons/types.ts';
import {
  buildClientRequest,
  encodeBase64,
  encodeUtf8,
  parseResponse,
  sha1,
  toHex,
  validateServerResponse,
  WEBSOCKET_GUID,
} from '../../app/protocol/index.ts';
import type { SessionEvent } from '../../app/ui/connection/events.ts';
import checks, { PROBES, SERVER_URL } from './checks.ts';
import { stepsFor } from './diagnose.ts';

type AcceptFn = (key: string) => string;

/**
 * Runs a lesson file as the code panel would, with a stand-in `ws` that only keeps the options
 * given to `new WebSocketServer(...)`, and returns the server's `acceptKey` and its console.
 */
function serverOf(file: string): { acceptKey: AcceptFn; port: number; log: string[] } {
  const code = readFileSync(new URL(file, import.meta.url), 'utf8').replace(
    "import { WebSocketServer } from 'ws';",
    'const { WebSocketServer } = ws;',
  );
  let options: { port: number; acceptKey: AcceptFn } | undefined;
  const log: string[] = [];
  class WebSocketServer {
    constructor(o: { port: number; acceptKey: AcceptFn }) {
      options = o;
    }
    on(): this {
      return this;
    }
  }
  const fakeConsole = { log: (...a: unknown[]) => log.push(a.join(' ')), info: () => {} };
  new Function('ws', 'console', code)({ WebSocketServer }, fakeConsole);
  if (!options) throw new Error(`${file} made no WebSocketServer`);
  return { acceptKey: (key) => options!.acceptKey(key), port: options.port, log };
}

let serial = 0;

/**
 * The probe's view of a connection to a server answering with `acceptFor`, as the engine client
 * records it: its GET with the chosen key, the server's 101, then either the open connection
 * closed cleanly or, when 4.1's checks fail, the client dropping TCP.
 * (Stands in for the page's ProbeKit and the sandbox's acceptKey hook, both being built.)
 */
function probeConnection(url: string, key: string, acceptFor: AcceptFn): TraceConnection {
  const t = T0 + serial++ * 10;
  const request = buildClientRequest({ host: 'localhost:6455', path: '/', key });
  const response = `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptFor(key)}\r\n\r\n`;
  const parsed = parseResponse(response);
  const ok = parsed.ok && validateServerResponse(parsed.response, { key }).ok;
  const events: SessionEvent[] = [
    { kind: 'handshake', t, from: 'client', text: request },
    { kind: 'handshake', t: t + 1, from: 'server', text: response },
    ...(ok
      ? ([
          { kind: 'state', t: t + 1, state: 'OPEN' },
          { kind: 'close', t: t + 2, code: 1000, reason: '', wasClean: true },
          { kind: 'eof', t: t + 2, from: 'server' },
        ] as SessionEvent[])
      : ([{ kind: 'eof', t: t + 1, from: 'client' }] as SessionEvent[])),
  ];
  return connection(`p${serial}`, url, events, { origin: 'probe' });
}

/** A ProbeKit over a server answering with `acceptFor` (none: nothing listens): a fresh random key per open. */
function kitFor(acceptFor: AcceptFn | undefined, keys: string[] = []): ProbeKit {
  return {
    mode: 'loopback',
    async open(url) {
      if (!acceptFor) throw new Error(`connect ECONNREFUSED ${url}`);
      const key = encodeBase64(crypto.getRandomValues(new Uint8Array(16)));
      keys.push(key);
      return probeConnection(url, key, acceptFor);
    },
    // Lesson 2's probe only opens and closes.
    connect() {
      throw new Error('lesson 2 does not drive its probe sockets');
    },
    wait: async () => {},
    until: async (done) => done(),
  };
}

async function probed(acceptFor: AcceptFn | undefined, before: TraceConnection[] = []): Promise<Trace> {
  const conns = await checks.probe!(kitFor(acceptFor));
  return trace([...before, ...conns]);
}

const { run, expectAllPass } = tasksUnderTest(checks);

/** A failure of one of this lesson's tasks, citing the handshake's sections (4.1, 4.2). */
const expectFail = (r: TaskResult, expected: string | RegExp, seen: string | RegExp): void =>
  expectFailure(r, expected, seen, /^RFC 6455 §4\.[12]/);

const GUID = WEBSOCKET_GUID;
const b64 = (b: Uint8Array): string => encodeBase64(b);
const h = (text: string): Uint8Array => sha1(encodeUtf8(text));
const STEP_TASKS = ['concat', 'sha1', 'base64', 'every-key'];

describe("the lesson's code", () => {
  test('the sha1() given in start/ and solution/ agrees with the engine on every padding boundary', () => {
    const { acceptKey } = serverOf('solution/server.js');
    expect(acceptKey('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    const start = serverOf('start/server.js');
    expect(start.log[0]).toBe('sha1("abc") in hex: a9993e364706816aba3e25717850c26c9cd0d89d');
    // The same function sits in both files; check it through the solution's accept on many lengths.
    for (const n of [0, 1, 31, 32, 33, 55, 56, 63, 64, 65, 119, 120, 200]) {
      const key = 'k'.repeat(n);
      expect(acceptKey(key), `length ${n}`).toBe(b64(h(key + GUID)));
    }
  });

  test('start/ and solution/ carry the same sha1(), word for word', () => {
    const tail = (file: string): string => {
      const text = readFileSync(new URL(file, import.meta.url), 'utf8');
      return text.slice(text.indexOf('// ---- Below: a SHA-1'));
    };
    expect(tail('start/server.js')).toContain('function sha1(input)');
    expect(tail('start/server.js')).toBe(tail('solution/server.js'));
  });

  test('both files listen on the port the probe connects to', () => {
    expect(serverOf('start/server.js').port).toBe(6455);
    expect(serverOf('solution/server.js').port).toBe(6455);
    expect(SERVER_URL).toBe('ws://localhost:6455/');
  });
});

describe('the probe', () => {
  test(`opens ${PROBES} connections to the learner's server, each with a fresh random key`, async () => {
    const keys: string[] = [];
    const conns = await checks.probe!(kitFor((k) => k, keys));
    expect(conns).toHaveLength(PROBES);
    expect(conns.every((c) => c.origin === 'probe' && c.url === SERVER_URL)).toBe(true);
    expect(new Set(keys).size).toBe(PROBES);
  });

  test('with nothing listening it returns no connection, and the first task says the server is not running', async () => {
    const t = await probed(undefined);
    expect(t.connections).toHaveLength(0);
    expectFail(
      run('answers', t),
      'a 101 from your server on ws://localhost:6455/ (press Run, then Check)',
      'is your server running?',
    );
    expectFail(
      run('every-key', t),
      /^3 connections from the lesson's client/,
      "0 connections from the lesson's client",
    );
  });
});

describe('on probes of the start and the solution', () => {
  test("the solution's server passes every task", async () => {
    const t = await probed(serverOf('solution/server.js').acceptKey);
    expectAllPass(t);
    expect(run('every-key', t)).toMatchObject({
      observed: expect.stringMatching(/^3 fresh keys, 3 right answers: /),
    });
  });

  test("the start's server answers, but with the key itself: every step fails and says none is done", async () => {
    const t = await probed(serverOf('start/server.js').acceptKey);
    expect(run('answers', t)).toMatchObject({
      ok: true,
      observed: expect.stringContaining('not the value the client expects'),
    });
    for (const id of ['concat', 'sha1', 'base64'])
      expectFail(
        run(id, t),
        /^for the key \S+==, /,
        'the key itself, sent back unchanged; no step is done yet',
      );
    expectFail(
      run('every-key', t),
      'each answered with its own right Accept',
      /^the key \S+ got \S+, where it needs \S+=$/,
    );
  });
});

describe('each wrong acceptFor is diagnosed at its step, on fresh keys', () => {
  test('the key without the GUID fails step 1, and the later steps point back at it', async () => {
    const t = await probed((k) => b64(h(k)));
    expectFail(
      run('concat', t),
      /the text \S+258EAFA5-E914-47DA-95CA-C5AB0DC85B11: the key as received/,
      'you started from the key alone: the GUID is missing',
    );
    expectFail(
      run('sha1', t),
      /the 20 bytes of SHA-1\(key \+ GUID\), in hex [0-9a-f]{40}/,
      'step 1, key + GUID is not right yet (you started from the key alone',
    );
    expectFail(run('base64', t), /those 20 bytes in base64/, 'step 1, key + GUID is not right yet');
  });

  test('a misspelt GUID fails step 1 by the shape of the answer', async () => {
    const t = await probed((k) => b64(h(k + GUID.replace('95CA', '95AC'))));
    expectFail(
      run('concat', t),
      /the key as received, then the GUID/,
      'base64 of 20 bytes, the size of a SHA-1, but not the SHA-1 of key + GUID',
    );
  });

  test('the GUID before the key fails step 1', async () => {
    const t = await probed((k) => b64(h(GUID + k)));
    expectFail(run('concat', t), /then the GUID/, 'you put the GUID before the key: the key comes first');
  });

  test('key + GUID sent unhashed passes step 1 and fails step 2', async () => {
    const t = await probed((k) => k + GUID);
    expect(run('concat', t)).toMatchObject({
      ok: true,
      observed: expect.stringContaining('step 1, key + GUID is right'),
    });
    expectFail(run('sha1', t), /SHA-1/, 'you skipped SHA-1');
    expectFail(run('base64', t), /base64/, 'step 2, SHA-1 is not right yet');
  });

  test('the hex digest base64-encoded fails step 2, naming the hex text', async () => {
    const t = await probed((k) => b64(encodeUtf8(toHex(h(k + GUID)))));
    expect(run('concat', t).ok).toBe(true);
    expectFail(
      run('sha1', t),
      /in hex [0-9a-f]{40}/,
      "you encoded the digest's 40-character hex text instead of its 20 bytes",
    );
  });

  test('hex output passes steps 1 and 2 and fails step 3', async () => {
    const t = await probed((k) => toHex(h(k + GUID)));
    expect(run('concat', t).ok).toBe(true);
    expect(run('sha1', t).ok).toBe(true);
    expectFail(
      run('base64', t),
      /Sec-WebSocket-Accept: \S{27}=$/,
      'you wrote the bytes as hex digits: the answer is base64',
    );
    expectFail(run('every-key', t), /own right Accept/, /got [0-9a-f]{40}, where it needs/);
  });

  test('base64url fails step 3', async () => {
    const t = await probed((k) =>
      b64(h(k + GUID))
        .replace(/\+/g, '-')
        .replace(/\//g, '_')
        .replace(/=$/, ''),
    );
    expectFail(run('base64', t), /base64/, 'you used base64url');
  });

  test('a value copied from one handshake fails every step as not computed from the key', async () => {
    const copied = stepsFor('dGhlIHNhbXBsZSBub25jZQ==').accept;
    const t = await probed(() => copied);
    const fixed = `the same Sec-WebSocket-Accept, ${copied}, for the keys`;
    for (const id of STEP_TASKS) expectFail(run(id, t), /for the key|own right Accept/, fixed);
  });
});

describe('on hand-built traces', () => {
  const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
  const request = buildClientRequest({ host: 'localhost:6455', path: '/', key: KEY });

  function answered(response: string, id = 'c1'): TraceConnection {
    return connection(id, SERVER_URL, opened(T0, SERVER_URL, { request, response }), { origin: 'probe' });
  }

  test('a probe connection that reached no server fails the first task: is the server running?', () => {
    const refused = connection(
      'p1',
      SERVER_URL,
      [
        { kind: 'api', t: T0, type: 'create', url: SERVER_URL, protocols: [] },
        { kind: 'api', t: T0 + 1, type: 'error' },
        { kind: 'api', t: T0 + 1, type: 'close', code: 1006, reason: '', wasClean: false },
      ],
      { origin: 'probe' },
    );
    expectFail(run('answers', trace([refused])), 'a 101 from your server on', 'is your server running?');
  });

  test('a refusal, a 101 without Accept, and no answer each fail the first task with what was seen', () => {
    expectFail(
      run('answers', trace([answered('HTTP/1.1 404 Not Found\r\n\r\n')])),
      `a 101 answering the key ${KEY}`,
      "'HTTP/1.1 404 Not Found'",
    );
    expectFail(
      run(
        'answers',
        trace([
          answered('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'),
        ]),
      ),
      'Sec-WebSocket-Accept in the 101',
      'a 101 without Sec-WebSocket-Accept',
    );
    const silent = connection(
      'c1',
      SERVER_URL,
      [{ kind: 'handshake', t: T0, from: 'client', text: request }],
      { origin: 'probe' },
    );
    expectFail(
      run('answers', trace([silent])),
      `a 101 answering the key ${KEY}`,
      'no answer from your server (did acceptFor throw?',
    );
  });

  test('a server-mode lab connection to 127.0.0.1:6455 counts for the steps; every-key still needs the probe', () => {
    const url = 'ws://127.0.0.1:6455/';
    const chromium = chromiumRequest('/', { key: KEY, host: '127.0.0.1:6455' });
    const response = `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n`;
    const t = trace([connection('c1', url, opened(T0, url, { request: chromium, response }))], {
      mode: 'server',
    });
    for (const id of ['answers', 'concat', 'sha1', 'base64'])
      expect(run(id, t), id).toMatchObject({ ok: true });
    expectFail(
      run('every-key', t),
      /press Check with your server running/,
      "0 connections from the lesson's client",
    );
  });

  test('the latest probe counts: a fixed value from an earlier run no longer fails a right one', async () => {
    const earlier = await checks.probe!(kitFor(() => 's3pPLMBiTxaQ9kYGzzhZRbK+xOo='));
    const t = await probed(serverOf('solution/server.js').acceptKey, earlier);
    for (const id of STEP_TASKS) expect(run(id, t), id).toMatchObject({ ok: true });
  });

  test('every-key fails when a probe batch repeats a key', () => {
    const right = (id: string): TraceConnection =>
      answered(
        `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${stepsFor(KEY).accept}\r\n\r\n`,
        id,
      );
    expectFail(
      run('every-key', trace([right('c1'), right('c2'), right('c3')])),
      /3 different keys/,
      '1 different key in 3 connections',
    );
  });
});
