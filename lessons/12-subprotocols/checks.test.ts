import { describe, expect, test } from 'vitest';
import type { TaskResult, Trace } from '../../app/lessons/kit.ts';
import { recordLoopback } from '../../app/lessons/recorder.ts';
import { connection, failureOf, runTaskById, trace } from '../../app/lessons/testing.ts';
import type { SessionEvent } from '../../app/ui/connection/events.ts';
import checks from './checks.ts';
import play from './play.ts';

const T0 = 1_700_000_000_000;

const run = (id: string, t: Trace): TaskResult => runTaskById(checks, id, t);

function failure(id: string, t: Trace): { expected: string; seen: string; rfc: string } {
  const { expected, seen, rfc } = failureOf(checks, id, t);
  return { expected, seen, rfc };
}

const OFFER = 'permessage-deflate; client_max_window_bits';

/** Chromium's GET in server mode (the tap shows it as it came), with `protocols` when offered. */
function chromiumRequest(path: string, protocols: string[]): string {
  return (
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:5173\r\nConnection: Upgrade\r\nPragma: no-cache\r\n` +
    'User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36\r\n' +
    'Upgrade: websocket\r\nOrigin: http://127.0.0.1:5173\r\nSec-WebSocket-Version: 13\r\n' +
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
    `Sec-WebSocket-Extensions: ${OFFER}\r\n` +
    (protocols.length ? `Sec-WebSocket-Protocol: ${protocols.join(', ')}\r\n` : '') +
    '\r\n'
  );
}

function response(headers: string[]): string {
  return [
    'HTTP/1.1 101 Switching Protocols',
    'Upgrade: websocket',
    'Connection: Upgrade',
    'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=',
    ...headers,
    '',
    '',
  ].join('\r\n');
}

/**
 * One server-mode connection: Chromium's GET offering `protocols`, a 101 with `chose` (and
 * `extensions`), then either the page's open (with what the page reports) or its failure.
 */
function serverConn(
  id: string,
  path: string,
  protocols: string[],
  o: { chose?: string; extensions?: string; opens?: boolean; apiProtocol?: string; apiExtensions?: string },
): ReturnType<typeof connection> {
  const url = `ws://127.0.0.1:5173${path}`;
  const headers = [
    ...(o.chose ? [`Sec-WebSocket-Protocol: ${o.chose}`] : []),
    ...(o.extensions ? [`Sec-WebSocket-Extensions: ${o.extensions}`] : []),
  ];
  const events: SessionEvent[] = [
    { kind: 'api', t: T0, type: 'create', url, protocols },
    { kind: 'api', t: T0, type: 'state', state: 'CONNECTING' },
    { kind: 'handshake', t: T0 + 1, from: 'client', text: chromiumRequest(path, protocols) },
    { kind: 'handshake', t: T0 + 2, from: 'server', text: response(headers) },
  ];
  if (o.opens === false)
    events.push(
      { kind: 'api', t: T0 + 3, type: 'error' },
      { kind: 'api', t: T0 + 3, type: 'state', state: 'CLOSED' },
      { kind: 'api', t: T0 + 3, type: 'close', code: 1006, reason: '', wasClean: false },
      { kind: 'eof', t: T0 + 3, from: 'client' },
    );
  else
    events.push(
      { kind: 'api', t: T0 + 3, type: 'state', state: 'OPEN' },
      {
        kind: 'api',
        t: T0 + 3,
        type: 'open',
        protocol: o.apiProtocol ?? o.chose ?? '',
        extensions: o.apiExtensions ?? '',
      },
    );
  return connection(id, url, events, { protocols });
}

/** 'hello hello hello hello hello' as DEFLATE data would be 13 bytes or so: any 13 bytes do here. */
const DEFLATED = [0xca, 0x48, 0xcd, 0xc9, 0xc9, 0x57, 0xc8, 0x40, 0x27, 0x00, 0x00, 0x00, 0x00];

/**
 * A server-mode /echo?deflate=1 connection whose 101 accepted permessage-deflate: one message
 * sent (RSV1 set when `rsv1`, masked with a zero key), echoed, and received by the page.
 */
function compressedConn(
  id: string,
  o: { rsv1?: boolean; echoed?: boolean } = {},
): ReturnType<typeof connection> {
  const c = serverConn(id, '/echo?deflate=1', [], {
    extensions: 'permessage-deflate; client_max_window_bits=15',
    apiExtensions: 'permessage-deflate; client_max_window_bits=15',
  });
  const first = (o.rsv1 ?? true) ? 0xc1 : 0x81;
  c.events.push({
    kind: 'frame',
    t: T0 + 10,
    from: 'client',
    bytes: new Uint8Array([first, 0x80 | DEFLATED.length, 0, 0, 0, 0, ...DEFLATED]),
  });
  if (o.echoed ?? true)
    c.events.push(
      {
        kind: 'frame',
        t: T0 + 11,
        from: 'server',
        bytes: new Uint8Array([first, DEFLATED.length, ...DEFLATED]),
      },
      { kind: 'api', t: T0 + 12, type: 'message', data: 'hello hello hello hello hello' },
    );
  return c;
}

/** The solution as Chromium and our Node server play it (server mode). */
function serverSolution(): Trace {
  return trace(
    [
      serverConn('c1', '/echo', ['superchat', 'chat'], { chose: 'superchat' }),
      serverConn('c2', '/echo', ['mqtt'], { opens: false }),
      serverConn('c3', '/misbehave?do=unoffered-protocol', ['chat'], { chose: 'nonsense', opens: false }),
      compressedConn('c4'),
    ],
    { mode: 'server' },
  );
}

describe('the solution passes', () => {
  test('the recorded loopback solution passes every task, each saying what the wire showed', async () => {
    const t = await recordLoopback(play.solution);
    expect(run('offer-chosen', t)).toEqual({
      ok: true,
      observed:
        "you offered 'superchat, chat'; the 101 chose 'superchat', the first of your list that /echo speaks, and ws.protocol is 'superchat'",
    });
    expect(run('no-common', t)).toEqual({
      ok: true,
      observed:
        "you offered 'mqtt'; the 101 had no Sec-WebSocket-Protocol; the page closed with 1006 and never opened",
    });
    expect(run('unoffered-refused', t)).toEqual({
      ok: true,
      observed:
        "you offered 'chat'; the 101 named 'nonsense'; the page fired error, then close 1006 and never opened",
    });
    expect(run('extensions-declined', t)).toEqual({
      ok: true,
      observed: "this client offered no extension; the 101 had none either, and ws.extensions is ''",
    });
  });

  test("in server mode every task passes, and the extension task names Chromium's permessage-deflate offer", () => {
    const t = serverSolution();
    for (const task of checks.tasks) expect(run(task.id, t), task.id).toMatchObject({ ok: true });
    expect(run('extensions-declined', t)).toEqual({
      ok: true,
      observed: `your browser offered '${OFFER}'; the 101 had no Sec-WebSocket-Extensions, so none is in use and ws.extensions is ''`,
    });
  });

  test('the latest matching connection counts: a later one-offer connection does not undo the choice', () => {
    const t = serverSolution();
    t.connections.push(serverConn('c4', '/echo', ['chat'], { chose: 'chat' }));
    expect(run('offer-chosen', t).ok).toBe(true);
    expect(run('no-common', t).ok).toBe(true);
  });
});

describe('the start fails every task, each saying what is missing', () => {
  test('with nothing done, each task names the connection it needs', async () => {
    const t = await recordLoopback(play.start);
    expect(failure('offer-chosen', t)).toEqual({
      expected:
        'a GET to /echo offering two or more of chat, superchat, json in Sec-WebSocket-Protocol, a 101 naming the one /echo chose, and ws.protocol equal to it',
      seen: 'no connection to /echo yet',
      rfc: 'RFC 6455 §1.9',
    });
    expect(failure('no-common', t)).toEqual({
      expected:
        'a GET to /echo offering only subprotocols /echo does not speak (it speaks chat, superchat, json), a 101 with no Sec-WebSocket-Protocol, and the page failing the connection: close 1006, never open',
      seen: 'no connection to /echo yet',
      rfc: 'RFC 6455 §4.2.2',
    });
    expect(failure('unoffered-refused', t)).toMatchObject({
      seen: 'no connection to /misbehave?do=unoffered-protocol yet',
      rfc: 'RFC 6455 §4.1',
    });
    expect(failure('extensions-declined', t)).toEqual({
      expected:
        "a 101 from /echo with no Sec-WebSocket-Extensions (the lesson's /echo?deflate=0: our server declines), and ws.extensions ''",
      seen: 'no 101 from /echo yet',
      rfc: 'RFC 6455 §9.1',
    });
    expect(failure('compressed', t)).toEqual({
      expected:
        'an /echo connection whose 101 accepted permessage-deflate, a message you sent in a frame with RSV1 = 1, and the page receiving its echo',
      seen: 'no /echo connection whose 101 accepted permessage-deflate yet (open /echo?deflate=1)',
      rfc: 'RFC 7692 §7.1',
    });
  });
});

describe('wrong attempts fail with their own message', () => {
  test('no offer at all: both subprotocol tasks say the GET offered nothing', async () => {
    const t = await recordLoopback(play.wrong!.noOffer!);
    expect(failure('offer-chosen', t)).toMatchObject({
      seen: 'your latest GET to /echo had no Sec-WebSocket-Protocol: it offered nothing',
      rfc: 'RFC 6455 §4.1',
    });
    expect(failure('no-common', t).seen).toBe(
      'your latest GET to /echo offered nothing: offer a subprotocol, just not one /echo speaks',
    );
    expect(run('extensions-declined', t).ok).toBe(true);
  });

  test('one offer /echo speaks is not two; nor is it an offer /echo does not speak', async () => {
    const t = await recordLoopback(play.wrong!.oneOffer!);
    expect(failure('offer-chosen', t).seen).toBe(
      "your latest GET to /echo offered 'chat', of which /echo speaks 'chat'",
    );
    expect(failure('no-common', t).seen).toBe(
      "your latest GET to /echo offered 'chat', and /echo speaks 'chat'",
    );
  });

  test('offering mqtt and json: only one spoken, and not "none in common"', async () => {
    const t = await recordLoopback(play.wrong!.mixed!);
    expect(failure('offer-chosen', t).seen).toBe(
      "your latest GET to /echo offered 'mqtt, json', of which /echo speaks 'json'",
    );
    expect(failure('no-common', t).seen).toBe(
      "your latest GET to /echo offered 'mqtt, json', and /echo speaks 'json'",
    );
  });

  test('a server that skips the first offer it speaks fails offer-chosen (4.2.2), naming the one expected', () => {
    const t = trace([serverConn('c1', '/echo', ['superchat', 'chat'], { chose: 'chat' })], {
      mode: 'server',
    });
    expect(failure('offer-chosen', t)).toMatchObject({
      expected: expect.stringContaining("the first of your offers that it speaks, 'superchat'"),
      seen: "the 101 chose 'chat'",
      rfc: 'RFC 6455 §4.2.2',
    });
  });

  test('a page whose ws.protocol differs from the 101 fails offer-chosen (4.1)', () => {
    const t = trace([
      serverConn('c1', '/echo', ['superchat', 'chat'], { chose: 'superchat', apiProtocol: 'chat' }),
    ]);
    expect(failure('offer-chosen', t)).toMatchObject({
      seen: "the 101 chose 'superchat' but ws.protocol is 'chat'",
      rfc: 'RFC 6455 §4.1',
    });
  });

  test('a client that opens without the subprotocol it asked for fails no-common: browsers must not', () => {
    const t = trace([serverConn('c1', '/echo', ['mqtt'], {})]);
    expect(failure('no-common', t)).toMatchObject({
      seen: "the socket opened with ws.protocol '': RFC 6455 allows that, but a browser fails a connection when it offered subprotocols and the 101 chose none",
      rfc: 'RFC 6455 §4.1',
    });
  });

  test('a client that accepts a subprotocol it never offered fails unoffered-refused (4.1)', () => {
    const t = trace([
      serverConn('c1', '/misbehave?do=unoffered-protocol', ['chat'], { chose: 'nonsense', opens: true }),
    ]);
    expect(failure('unoffered-refused', t)).toEqual({
      expected:
        'a 101 from /misbehave?do=unoffered-protocol naming a subprotocol your GET did not offer, and the page failing the connection: an error event, then close 1006, never open',
      seen: "the socket opened with ws.protocol 'nonsense': a client must fail the connection when the 101 names a subprotocol it did not offer",
      rfc: 'RFC 6455 §4.1',
    });
  });

  test('a 101 that accepts permessage-deflate fails extensions-declined, quoting the header and ws.extensions', () => {
    const t = trace(
      [
        serverConn('c1', '/echo', [], {
          extensions: 'permessage-deflate; client_max_window_bits=15',
          apiExtensions: 'permessage-deflate; client_max_window_bits=15',
        }),
      ],
      { mode: 'server' },
    );
    expect(failure('extensions-declined', t)).toEqual({
      expected:
        "a 101 from /echo with no Sec-WebSocket-Extensions (the lesson's /echo?deflate=0: our server declines), and ws.extensions ''",
      seen: "the 101 accepted 'permessage-deflate; client_max_window_bits=15' and ws.extensions is 'permessage-deflate; client_max_window_bits=15'",
      rfc: 'RFC 6455 §9.1',
    });
  });

  test('a compressed connection after a declined one leaves extensions-declined passed (the declined one counts)', () => {
    const t = serverSolution();
    t.connections.push(compressedConn('c5'));
    expect(run('extensions-declined', t).ok).toBe(true);
  });

  test('compressed: a frame sent with RSV1 clear is not compressed, and the echo must reach the page', () => {
    const clear = trace([compressedConn('c1', { rsv1: false })], { mode: 'server' });
    expect(failure('compressed', clear)).toMatchObject({
      seen: '1 frame sent, each with RSV1 = 0 (sent uncompressed)',
      rfc: 'RFC 7692 §7.2',
    });
    const noEcho = trace([compressedConn('c1', { echoed: false })], { mode: 'server' });
    expect(failure('compressed', noEcho).seen).toBe(
      'the page has not received the echo of what you sent yet',
    );
  });

  test('compressed passes on RSV1 and the echo, naming the accepted parameters and the DEFLATE length', () => {
    const t = trace([compressedConn('c1')], { mode: 'server' });
    expect(run('compressed', t)).toMatchObject({
      ok: true,
      observed:
        "the 101 accepted 'permessage-deflate; client_max_window_bits=15'; your frame had RSV1 = 1 and 13 bytes of DEFLATE data, and the page got the echo back, inflated",
    });
  });

  test('a refused /echo alone is not enough for extensions-declined: the socket must open', () => {
    const t = trace([serverConn('c1', '/echo', ['mqtt'], { opens: false })], { mode: 'server' });
    expect(failure('extensions-declined', t).seen).toBe("the page's socket never opened");
  });
});
