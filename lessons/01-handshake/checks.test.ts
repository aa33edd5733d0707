import { describe, expect, test } from 'vitest';
import { recordLoopback, type RecordingLab } from '../../app/lessons/recorder.ts';
import { connection, opened, trace } from '../../app/lessons/testing.ts';
import type { TaskResult, Trace } from '../../app/lessons/types.ts';
import { computeAccept } from '../../app/protocol/index.ts';
import { createEchoService } from '../../app/services/echo.ts';
import { type Service } from '../../app/services/index.ts';
import type { SessionEvent } from '../../app/ui/connection/events.ts';
import checks from './checks.ts';
import play from './play.ts';

function run(t: Trace, id: string): TaskResult {
  const task = checks.tasks.find((x) => x.id === id);
  if (!task) throw new Error(`no task ${id}`);
  return task.check(t);
}

function expectFail(r: TaskResult, expected: string, seen: string): void {
  expect(r.ok).toBe(false);
  if (r.ok) return;
  expect(r.expected).toContain(expected);
  expect(r.seen).toContain(seen);
  expect(r.rfc).toMatch(/^RFC 6455 §\d/);
}

/**
 * /misbehave is being built elsewhere, so until it lands the recordings use a stand-in: the
 * loopback's own handshake fault (a 101 with the Accept of another key) armed for the one
 * connection to ?do=bad-accept. The client that refuses it is the real one. ?do=unoffered-protocol
 * has no loopback fault: the stand-in resets it (its task is tested on hand-built traces below).
 */
function withStandIn(lab: RecordingLab): RecordingLab {
  const services = lab.rig.network.services as Map<string, Service>;
  services.set('/misbehave', { ...createEchoService(), path: '/misbehave' });
  return {
    ...lab,
    open(path, protocols) {
      if (path.includes('do=bad-accept')) lab.rig.network.failHandshakes({ kind: 'bad-accept' }, 1);
      if (path.includes('do=unoffered-protocol')) lab.rig.network.failHandshakes({ kind: 'reset' }, 1);
      return lab.open(path, protocols);
    },
  };
}

const record = (walk: (lab: RecordingLab) => Promise<void>): Promise<Trace> =>
  recordLoopback((lab) => walk(withStandIn(lab)));

const T0 = 1_700_000_000_000;
const KEY_A = 'dGhlIHNhbXBsZSBub25jZQ==';
const KEY_B = 'x3JJHMbDL1EzLkh9GBhXDw==';

function request(key: string, options: { protocols?: string; first?: string; extra?: string } = {}): string {
  return (
    `${options.first ?? 'GET /echo HTTP/1.1'}\r\nHost: playground.local\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n${options.extra ?? ''}` +
    (options.protocols ? `Sec-WebSocket-Protocol: ${options.protocols}\r\n` : '') +
    '\r\n'
  );
}

function response(accept: string, options: { protocol?: string; status?: string } = {}): string {
  return (
    `${options.status ?? 'HTTP/1.1 101 Switching Protocols'}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Accept: ${accept}\r\n` +
    (options.protocol ? `Sec-WebSocket-Protocol: ${options.protocol}\r\n` : '') +
    '\r\n'
  );
}

/** Chromium's GET as our Node server's tap records it (server mode). */
function chromiumRequest(path: string, key: string, protocols?: string): string {
  return (
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:5173\r\nConnection: Upgrade\r\nPragma: no-cache\r\n` +
    'Cache-Control: no-cache\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36\r\n' +
    'Upgrade: websocket\r\nOrigin: http://127.0.0.1:5173\r\nSec-WebSocket-Version: 13\r\n' +
    'Accept-Language: en-US,en;q=0.9\r\n' +
    `Accept-Encoding: gzip, deflate, br, zstd\r\nSec-WebSocket-Key: ${key}\r\n` +
    'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n' +
    (protocols ? `Sec-WebSocket-Protocol: ${protocols}\r\n` : '') +
    '\r\n'
  );
}

/** A handshake the page refused (4.1): GET, the bad 101, error, close 1006, the client's FIN. */
function refusedEvents(url: string, req: string, res: string, protocols: string[] = []): SessionEvent[] {
  return [
    { kind: 'api', t: T0, type: 'create', url, protocols },
    { kind: 'api', t: T0, type: 'state', state: 'CONNECTING' },
    { kind: 'handshake', t: T0 + 1, from: 'client', text: req },
    { kind: 'handshake', t: T0 + 2, from: 'server', text: res },
    { kind: 'api', t: T0 + 3, type: 'error' },
    { kind: 'api', t: T0 + 3, type: 'state', state: 'CLOSED' },
    { kind: 'api', t: T0 + 3, type: 'close', code: 1006, reason: '', wasClean: false },
    { kind: 'eof', t: T0 + 3, from: 'client' },
  ];
}

const ECHO = 'ws://playground.local/echo';
const BAD = 'ws://playground.local/misbehave?do=bad-accept';
const UNOFFERED = 'ws://playground.local/misbehave?do=unoffered-protocol';

describe('on recorded loopback walks', () => {
  test('the solution passes every task but the unoffered one (its endpoint is a stand-in here)', async () => {
    const t = await record(play.solution);
    for (const id of ['get', 'two-keys', 'accept', 'subprotocol', 'bad-accept']) {
      expect(run(t, id), id).toMatchObject({ ok: true });
    }
    expect(run(t, 'subprotocol')).toMatchObject({
      observed: expect.stringContaining("ws.protocol is 'superchat'"),
    });
    expect(run(t, 'bad-accept')).toMatchObject({
      observed: expect.stringContaining(
        'the page saw error, then close 1006 (wasClean false) and never open',
      ),
    });
  });

  test('with the real /misbehave, the recorded solution passes every task', async () => {
    const t = await recordLoopback(play.solution);
    for (const task of checks.tasks) expect(task.check(t), task.id).toMatchObject({ ok: true });
  });

  test('the start (nothing opened) fails every task, each saying what to open', async () => {
    const t = await record(play.start);
    expectFail(run(t, 'get'), 'a GET request to /echo (press "Open /echo")', 'no connection to /echo yet');
    expectFail(run(t, 'two-keys'), 'two connections to /echo', 'no connection to /echo yet');
    expectFail(run(t, 'accept'), "the server's answer to a GET to /echo", 'no connection to /echo yet');
    expectFail(run(t, 'subprotocol'), 'offering two subprotocols', 'no connection to /echo yet');
    expectFail(run(t, 'bad-accept'), 'a connection to /misbehave?do=bad-accept', 'none yet');
    expectFail(run(t, 'unoffered'), 'a connection to /misbehave?do=unoffered-protocol', 'none yet');
  });

  test('one connection is not enough to compare keys: the failure quotes its key', async () => {
    const t = await record(play.wrong!['one connection']!);
    expect(run(t, 'get').ok).toBe(true);
    expectFail(run(t, 'two-keys'), 'open /echo again', '1 connection, with Sec-WebSocket-Key: ');
  });

  test('one offered subprotocol is not a choice', async () => {
    const t = await record(play.wrong!['one offer']!);
    expectFail(run(t, 'subprotocol'), 'offering two subprotocols', 'offered fewer than two subprotocols');
  });

  test('offers /echo does not know get a 101 naming none, which the page refuses, and the task says so', async () => {
    const t = await record(play.wrong!['unknown offers']!);
    expectFail(
      run(t, 'subprotocol'),
      'naming one of mqtt, stomp (offer ones /echo knows',
      'no Sec-WebSocket-Protocol in the 101: the server picked none of your offers, so the page refused the connection (close 1006)',
    );
  });
});

describe('the request tasks on hand-built traces', () => {
  test('a request that is not GET /echo HTTP/1.1 fails get with the line seen', () => {
    const t = trace([
      connection('c1', ECHO, opened(T0, ECHO, { request: request(KEY_A, { first: 'POST /echo HTTP/1.1' }) })),
    ]);
    expectFail(run(t, 'get'), "'GET /echo HTTP/1.1'", "'POST /echo HTTP/1.1'");
  });

  test('get needs Upgrade: websocket and Connection: Upgrade', () => {
    const noUpgrade = request(KEY_A).replace('Upgrade: websocket\r\n', '');
    expectFail(
      run(trace([connection('c1', ECHO, opened(T0, ECHO, { request: noUpgrade }))]), 'get'),
      'Upgrade: websocket',
      'Upgrade: (missing)',
    );
    const keepAlive = request(KEY_A).replace('Connection: Upgrade', 'Connection: keep-alive');
    expectFail(
      run(trace([connection('c1', ECHO, opened(T0, ECHO, { request: keepAlive }))]), 'get'),
      'Connection: Upgrade',
      'Connection: keep-alive',
    );
  });

  test('two-keys fails when both connections carry the same key', () => {
    const t = trace([
      connection('c1', ECHO, opened(T0, ECHO, { request: request(KEY_A) })),
      connection('c2', ECHO, opened(T0 + 10, ECHO, { request: request(KEY_A) })),
    ]);
    expectFail(run(t, 'two-keys'), 'a different key for each connection', `the same key twice: ${KEY_A}`);
  });

  test('two-keys fails on a key that is not 16 bytes of base64, and on a version other than 13', () => {
    const short = trace([
      connection('c1', ECHO, opened(T0, ECHO, { request: request('c2hvcnQ=') })),
      connection('c2', ECHO, opened(T0, ECHO, { request: request(KEY_B) })),
    ]);
    expectFail(run(short, 'two-keys'), '16 bytes in base64', 'Sec-WebSocket-Key: c2hvcnQ=');
    const v8 = request(KEY_B).replace('Version: 13', 'Version: 8');
    const old = trace([
      connection('c1', ECHO, opened(T0, ECHO, { request: request(KEY_A) })),
      connection('c2', ECHO, opened(T0, ECHO, { request: v8 })),
    ]);
    expectFail(run(old, 'two-keys'), 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Version: 8');
  });

  test('accept fails on a refusal and on an Accept made from another key, quoting both values', () => {
    const refusal = trace([
      connection(
        'c1',
        ECHO,
        opened(T0, ECHO, { request: request(KEY_A), response: 'HTTP/1.1 426 Upgrade Required\r\n\r\n' }),
      ),
    ]);
    expectFail(run(refusal, 'accept'), 'status 101 Switching Protocols', "'HTTP/1.1 426 Upgrade Required'");
    const wrong = trace([
      connection(
        'c1',
        ECHO,
        opened(T0, ECHO, { request: request(KEY_B), response: response(computeAccept(KEY_A)) }),
      ),
    ]);
    expectFail(
      run(wrong, 'accept'),
      `Sec-WebSocket-Accept: ${computeAccept(KEY_B)}`,
      `Sec-WebSocket-Accept: ${computeAccept(KEY_A)}`,
    );
  });

  test('subprotocol fails when the 101 names something not offered, or ws.protocol disagrees with it', () => {
    const req = request(KEY_A, { protocols: 'superchat, chat' });
    const other = trace([
      connection(
        'c1',
        ECHO,
        opened(T0, ECHO, {
          request: req,
          response: response(computeAccept(KEY_A), { protocol: 'json' }),
          protocol: 'json',
        }),
      ),
    ]);
    expectFail(
      run(other, 'subprotocol'),
      'exactly one of your offers: superchat, chat',
      'Sec-WebSocket-Protocol: json',
    );
    const mismatch = trace([
      connection(
        'c1',
        ECHO,
        opened(T0, ECHO, {
          request: req,
          response: response(computeAccept(KEY_A), { protocol: 'chat' }),
          protocol: '',
        }),
      ),
    ]);
    expectFail(run(mismatch, 'subprotocol'), "ws.protocol 'chat'", "ws.protocol ''");
  });

  test('a server-mode trace (Chromium headers, tap token, port) passes every /echo task', () => {
    const url = 'ws://127.0.0.1:5173/echo';
    const keyC = 'q4xkcO32u266gldTuKaSOw==';
    const t = trace(
      [
        connection(
          'c1',
          url,
          opened(T0, url, {
            request: chromiumRequest('/echo?tap=Zk3_a', KEY_A),
            response: response(computeAccept(KEY_A)),
          }),
        ),
        connection(
          'c2',
          url,
          opened(T0 + 9, url, {
            request: chromiumRequest('/echo?tap=Q2-x', KEY_B),
            response: response(computeAccept(KEY_B)),
          }),
        ),
        connection(
          'c3',
          url,
          opened(T0 + 20, url, {
            request: chromiumRequest('/echo?tap=u8Pq', keyC, 'superchat, chat'),
            response: response(computeAccept(keyC), { protocol: 'superchat' }),
            protocol: 'superchat',
          }),
          { protocols: ['superchat', 'chat'] },
        ),
      ],
      { mode: 'server' },
    );
    for (const id of ['get', 'two-keys', 'accept', 'subprotocol'])
      expect(run(t, id), id).toMatchObject({ ok: true });
    expect(run(t, 'get')).toMatchObject({
      observed: "'GET /echo HTTP/1.1' with Upgrade: websocket and Connection: Upgrade",
    });
  });
});

describe('the refusal tasks on hand-built traces', () => {
  const badReq = request(KEY_A, { first: 'GET /misbehave?do=bad-accept HTTP/1.1' });
  const badRes = response(computeAccept(KEY_B));
  const unReq = request(KEY_A, { first: 'GET /misbehave?do=unoffered-protocol HTTP/1.1', protocols: 'chat' });
  const unRes = response(computeAccept(KEY_A), { protocol: 'nonsense' });

  test('bad-accept passes when the page refused the wrong Accept: error, close 1006, never open', () => {
    const t = trace([connection('c1', BAD, refusedEvents(BAD, badReq, badRes))]);
    expect(run(t, 'bad-accept')).toMatchObject({
      ok: true,
      observed: `the 101 said Sec-WebSocket-Accept: ${computeAccept(KEY_B)} where the key ${KEY_A} needs ${computeAccept(KEY_A)}; the page saw error, then close 1006 (wasClean false) and never open`,
    });
  });

  test('bad-accept and unoffered pass on server-mode traces (Chromium drops TCP after the 101)', () => {
    const host = 'ws://127.0.0.1:5173/misbehave';
    const t = trace(
      [
        connection(
          'c1',
          `${host}?do=bad-accept`,
          refusedEvents(
            `${host}?do=bad-accept`,
            chromiumRequest('/misbehave?do=bad-accept&tap=a1', KEY_A),
            badRes,
          ),
        ),
        connection(
          'c2',
          `${host}?do=unoffered-protocol`,
          refusedEvents(
            `${host}?do=unoffered-protocol`,
            chromiumRequest('/misbehave?do=unoffered-protocol&tap=b2', KEY_B, 'chat'),
            response(computeAccept(KEY_B), { protocol: 'nonsense' }),
            ['chat'],
          ),
          { protocols: ['chat'] },
        ),
      ],
      { mode: 'server' },
    );
    expect(run(t, 'bad-accept').ok).toBe(true);
    expect(run(t, 'unoffered')).toMatchObject({
      ok: true,
      observed: expect.stringContaining('the 101 named the subprotocol nonsense and you offered chat'),
    });
  });

  test('bad-accept fails when the page opened the connection anyway', () => {
    const t = trace([connection('c1', BAD, opened(T0, BAD, { request: badReq, response: badRes }))]);
    expectFail(
      run(t, 'bad-accept'),
      'no open event',
      'the page fired open: the client accepted the handshake',
    );
  });

  test('bad-accept fails when the client sent a frame on the refused connection, pointing at it', () => {
    const events = refusedEvents(BAD, badReq, badRes);
    events.splice(4, 0, {
      kind: 'frame',
      t: T0 + 3,
      from: 'client',
      bytes: Uint8Array.of(0x88, 0x80, 1, 2, 3, 4),
    });
    const r = run(trace([connection('c1', BAD, events)]), 'bad-accept');
    expectFail(r, 'no frame from the client', 'CLOSE');
    expect(r).toMatchObject({ frame: { connection: 'c1', event: 4 } });
  });

  test('bad-accept fails when the close is not 1006, or has not come yet', () => {
    const clean = refusedEvents(BAD, badReq, badRes).map((e) =>
      e.kind === 'api' && e.type === 'close' ? { ...e, code: 1002, wasClean: true } : e,
    );
    expectFail(
      run(trace([connection('c1', BAD, clean)]), 'bad-accept'),
      'close code 1006',
      'close code 1002, wasClean true',
    );
    const pending = refusedEvents(BAD, badReq, badRes).slice(0, 4);
    expectFail(
      run(trace([connection('c1', BAD, pending)]), 'bad-accept'),
      'a close event with code 1006',
      'no close event yet',
    );
  });

  test('bad-accept fails when the server sent the right Accept after all', () => {
    const t = trace([connection('c1', BAD, refusedEvents(BAD, badReq, response(computeAccept(KEY_A))))]);
    expectFail(run(t, 'bad-accept'), 'a wrong Sec-WebSocket-Accept', 'this server did not misbehave');
  });

  test('the latest connection counts: a retry that was refused passes after one that opened', () => {
    const t = trace([
      connection('c1', BAD, opened(T0, BAD, { request: badReq, response: badRes })),
      connection('c2', BAD, refusedEvents(BAD, badReq, badRes)),
    ]);
    expect(run(t, 'bad-accept').ok).toBe(true);
  });

  test('unoffered passes when the page refused a subprotocol it did not offer', () => {
    const t = trace([
      connection('c1', UNOFFERED, refusedEvents(UNOFFERED, unReq, unRes, ['chat']), { protocols: ['chat'] }),
    ]);
    expect(run(t, 'unoffered')).toMatchObject({
      ok: true,
      observed:
        'the 101 named the subprotocol nonsense and you offered chat; the page saw error, then close 1006 (wasClean false) and never open',
    });
  });

  test('unoffered fails when the named subprotocol was offered, or when the page opened', () => {
    const offered = trace([
      connection(
        'c1',
        UNOFFERED,
        refusedEvents(UNOFFERED, unReq, response(computeAccept(KEY_A), { protocol: 'chat' })),
      ),
    ]);
    expectFail(
      run(offered, 'unoffered'),
      'naming something you did not offer (you offered chat)',
      'Sec-WebSocket-Protocol: chat',
    );
    const openedAnyway = trace([
      connection(
        'c1',
        UNOFFERED,
        opened(T0, UNOFFERED, { request: unReq, response: unRes, protocol: 'nonsense' }),
      ),
    ]);
    expectFail(run(openedAnyway, 'unoffered'), 'no open event', 'the page fired open');
  });

  test('a refused /misbehave connection does not count for the other misbehaviour', () => {
    const t = trace([connection('c1', BAD, refusedEvents(BAD, badReq, badRes))]);
    expectFail(run(t, 'unoffered'), 'a connection to /misbehave?do=unoffered-protocol', 'none yet');
  });
});
