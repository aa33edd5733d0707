/**
 * A connection on the server core driven with bytes only: request bytes in -> the answer out,
 * frame bytes in -> frames out, and when the transport is to end. Every refusal either host
 * gives, with its status.
 */
import { describe, expect, test } from 'vitest';
import { buildClosePayload } from '../protocol/close.ts';
import { encodeFinalFrame } from '../protocol/frame.ts';
import { text } from '../protocol/test-helpers.ts';
import { Opcode } from '../protocol/types.ts';
import type { Service } from '../services/service.ts';
import { REFUSED_LINGER_MS, EARLY_BYTES_LIMIT } from './upgrade.ts';
import { ACCEPT, KEY, MASK, bytesOf, echo, latin1, request, rig, statusLine } from './test-support.ts';

const clientText = (s: string): Uint8Array => encodeFinalFrame(Opcode.Text, text(s), MASK);
const serverText = (s: string): string => latin1(encodeFinalFrame(Opcode.Text, text(s)));

describe('request bytes in, the 101 out', () => {
  test('a head in pieces is answered once whole: the 101 carries the accept of its key and the agreed subprotocol', () => {
    const { connect } = rig();
    const peer = connect();
    const req = bytesOf(request('/echo', { protocols: ['superchat', 'chat'] }));
    peer.conn.receive(req.subarray(0, 10));
    expect(peer.read()).toBe('');
    peer.conn.receive(req.subarray(10));
    const answer = peer.read();
    expect(statusLine(answer)).toBe('HTTP/1.1 101 Switching Protocols');
    expect(answer).toContain(`Sec-WebSocket-Accept: ${ACCEPT}\r\n`);
    expect(answer).toContain('Sec-WebSocket-Protocol: chat\r\n');
    expect(peer.opened.map((a) => [a.info.path, a.info.protocol, a.info.remote])).toEqual([
      ['/echo', 'chat', '10.0.0.1:5000'],
    ]);
  });

  test('the tap sees the request first, then the 101 as written, then OPEN', () => {
    const peer = rig().connect();
    peer.conn.receive(bytesOf(request()));
    const kinds = peer.events.map((e) => (e.kind === 'handshake' ? `handshake:${e.from}` : e.kind));
    expect(kinds.slice(0, 3)).toEqual(['handshake:client', 'handshake:server', 'state']);
    expect(peer.events[0]).toMatchObject({ text: request() });
    expect(peer.events[1]).toMatchObject({ text: expect.stringMatching(/^HTTP\/1\.1 101 /) });
  });

  test('a frame in the same chunk as the request is answered after the 101', () => {
    const peer = rig().connect();
    const req = bytesOf(request());
    const frame = clientText('early');
    const both = new Uint8Array(req.length + frame.length);
    both.set(req);
    both.set(frame, req.length);
    peer.conn.receive(both);
    const out = peer.read();
    expect(out.indexOf('\r\n\r\n')).toBeLessThan(out.indexOf(serverText('early')));
    expect(out.endsWith(serverText('early'))).toBe(true);
  });
});

describe('frame bytes in, bytes out and close decisions', () => {
  test('a message is echoed; a Close is answered and the transport ended (7.1.1: the server closes TCP first)', () => {
    const r = rig();
    const peer = r.connect();
    peer.conn.receive(bytesOf(request()));
    peer.read();
    peer.conn.receive(clientText('hello'));
    expect(peer.read()).toBe(serverText('hello'));
    peer.conn.receive(encodeFinalFrame(Opcode.Close, buildClosePayload(1000, 'bye'), MASK));
    expect(peer.read()).toBe(latin1(encodeFinalFrame(Opcode.Close, buildClosePayload(1000, 'bye'))));
    expect(peer.wire.ended).toBe(true);
    expect(r.core.connections).toBe(1);
    peer.conn.transportClosed();
    expect(r.core.connections).toBe(0);
    expect(r.closed).toEqual([expect.objectContaining({ id: peer.conn.id, path: '/echo', code: 1000 })]);
    expect(peer.wire.closed).toBe(true);
  });

  test('an unmasked client frame fails the connection with 1002 (5.1) and ends the transport', () => {
    const peer = rig().connect();
    peer.conn.receive(bytesOf(request()));
    peer.read();
    peer.conn.receive(encodeFinalFrame(Opcode.Text, text('bare')));
    const out = peer.read();
    expect(out.charCodeAt(0)).toBe(0x88);
    expect(out.charCodeAt(2) * 256 + out.charCodeAt(3)).toBe(1002);
    expect(peer.wire.ended).toBe(true);
  });
});

type RefusalCase = [name: string, status: number, make: () => { r: ReturnType<typeof rig>; req: string }];

const serving = (service: Partial<Service>, extra: Parameters<typeof rig>[0] = {}) =>
  rig({ services: new Map([['/echo', { ...echo, ...service }]]), ...extra });

const refusals: RefusalCase[] = [
  ['an unknown path', 404, () => ({ r: rig(), req: request('/nope') })],
  ['a POST', 400, () => ({ r: rig(), req: request().replace(/^GET/, 'POST') })],
  ['a header line without a colon', 400, () => ({ r: rig(), req: 'GET /echo HTTP/1.1\r\nHost h\r\n\r\n' })],
  ['version 8 (4.4)', 426, () => ({ r: rig(), req: request().replace('Version: 13', 'Version: 8') })],
  [
    'an Origin not allowed (10.2)',
    403,
    () => ({ r: rig({ origins: ['http://other.test'] }), req: request() }),
  ],
  [
    'a server shutting down',
    503,
    () => {
      const r = rig();
      void r.core.close();
      return { r, req: request() };
    },
  ],
  ['the connection limit', 503, () => ({ r: rig({ maxConnections: 0 }), req: request() })],
  [
    "the service's verifyClient",
    401,
    () => ({ r: serving({ verifyClient: () => ({ status: 401 }) }), req: request() }),
  ],
  [
    'a verifyClient that throws',
    500,
    () => ({
      r: serving({
        verifyClient: () => {
          throw new Error('oops');
        },
      }),
      req: request(),
    }),
  ],
  [
    'an acceptKey that throws',
    500,
    () => ({
      r: serving({
        acceptKey: () => {
          throw new Error('oops');
        },
      }),
      req: request(),
    }),
  ],
  [
    'an acceptKey with a line break',
    500,
    () => ({ r: serving({ acceptKey: () => 'x\r\nSet-Cookie: a=b' }), req: request() }),
  ],
  [
    'a fault asked for',
    502,
    () => ({ r: rig({ fault: () => ({ kind: 'status', status: 502 }) }), req: request() }),
  ],
];

describe('every refusal is an HTTP answer: status, body tapped whole, transport ended', () => {
  test.each(refusals)('%s: %i', (_name, status, make) => {
    const { r, req } = make();
    const peer = r.connect();
    peer.conn.receive(bytesOf(req));
    const answer = peer.read();
    expect(statusLine(answer)).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    expect(peer.wire.ended).toBe(true);
    expect(peer.events[0]).toMatchObject({ kind: 'handshake', from: 'client', text: req });
    expect(peer.events[1]).toMatchObject({ kind: 'handshake', from: 'server', text: answer });
    expect(answer.slice(answer.indexOf('\r\n\r\n') + 4).length).toBeGreaterThan(0);
    peer.conn.receive(clientText('after'));
    expect(peer.read()).toBe('');
    peer.conn.transportClosed();
    expect(peer.events.at(-1)).toMatchObject({ kind: 'eof', from: 'server' });
    expect(r.core.connections).toBe(0);
  });

  test('a head over 16 KiB: 431', () => {
    const peer = rig().connect();
    peer.conn.receive(bytesOf(`GET /echo HTTP/1.1\r\nX: ${'a'.repeat(17 * 1024)}`));
    expect(statusLine(peer.read())).toBe('HTTP/1.1 431 Request Header Fields Too Large');
  });

  test('426 names the version the server speaks (4.4); 503 says when to come back', () => {
    const peer = rig().connect();
    peer.conn.receive(bytesOf(request().replace('Version: 13', 'Version: 8')));
    expect(peer.read()).toContain('Sec-WebSocket-Version: 13\r\n');
    const busy = rig({ maxConnections: 0 }).connect();
    busy.conn.receive(bytesOf(request()));
    expect(busy.read()).toContain('Retry-After: 5\r\n');
  });

  test('a refused peer that never closes is dropped after the linger', () => {
    const r = rig();
    const peer = r.connect();
    peer.conn.receive(bytesOf(request('/nope')));
    expect(peer.wire.destroyed).toBe(false);
    r.clock.advance(REFUSED_LINGER_MS);
    expect(peer.wire.destroyed).toBe(true);
  });

  test('a reset fault drops the transport without a byte', () => {
    const peer = rig({ fault: () => ({ kind: 'reset' }) }).connect();
    peer.conn.receive(bytesOf(request()));
    expect(peer.read()).toBe('');
    expect(peer.wire.destroyed).toBe(true);
  });

  test('a compressor that fails to load: 500 naming it', async () => {
    const peer = rig({
      deflateCodec: { loaded: () => undefined, load: () => Promise.reject(new Error('offline')) },
    }).connect();
    peer.conn.receive(
      bytesOf(request('/echo', { headers: { 'Sec-WebSocket-Extensions': 'permessage-deflate' } })),
    );
    await Promise.resolve();
    await Promise.resolve();
    expect(peer.read()).toMatch(/^HTTP\/1\.1 500 [^]*could not load its compressor/);
  });
});

describe("the service's hooks", () => {
  test("acceptKey's value goes into the 101 verbatim, right or wrong (the client judges it, 4.1)", () => {
    const peer = serving({ acceptKey: (key) => `${key}!` }).connect();
    peer.conn.receive(bytesOf(request()));
    const answer = peer.read();
    expect(statusLine(answer)).toBe('HTTP/1.1 101 Switching Protocols');
    expect(answer).toContain(`Sec-WebSocket-Accept: ${KEY}!\r\n`);
  });

  test('verifyClient sees the target and headers; an answer that comes later is waited for, bytes meanwhile kept', async () => {
    const seen: unknown[] = [];
    let accept: (v: true) => void = () => {};
    const peer = serving({
      verifyClient: (req) => {
        seen.push(req);
        return new Promise((resolve) => (accept = resolve));
      },
    }).connect();
    peer.conn.receive(bytesOf(request('/echo?x=1')));
    peer.conn.receive(clientText('waiting'));
    expect(peer.read()).toBe('');
    expect(seen).toEqual([
      { url: '/echo?x=1', headers: expect.objectContaining({ origin: 'http://page.test' }) },
    ]);
    accept(true);
    await Promise.resolve();
    const out = peer.read();
    expect(statusLine(out)).toBe('HTTP/1.1 101 Switching Protocols');
    expect(out.endsWith(serverText('waiting'))).toBe(true);
  });

  test('a client gone before the verdict gets nothing written', async () => {
    let accept: (v: true) => void = () => {};
    const peer = serving({ verifyClient: () => new Promise((resolve) => (accept = resolve)) }).connect();
    peer.conn.receive(bytesOf(request()));
    peer.conn.transportClosed();
    accept(true);
    await Promise.resolve();
    expect(peer.read()).toBe('');
    expect(peer.opened).toEqual([]);
  });

  test('a FIN while the verdict is pending reaches the session once open; one before a whole request ends the transport', async () => {
    let accept: (v: true) => void = () => {};
    const peer = serving({ verifyClient: () => new Promise((resolve) => (accept = resolve)) }).connect();
    peer.conn.receive(bytesOf(request()));
    peer.conn.receiveEof();
    expect(peer.wire.ended).toBe(false);
    accept(true);
    await Promise.resolve();
    expect(peer.events.map((e) => e.kind)).toContain('eof');
    expect(peer.wire.ended).toBe(true);
    const early = rig().connect();
    early.conn.receive(bytesOf('GET /echo HTTP/1.1\r\n'));
    early.conn.receiveEof();
    expect(early.wire.ended).toBe(true);
    expect(early.read()).toBe('');
  });

  test('a client that sends more than the early limit before its answer is dropped', () => {
    const peer = serving({ verifyClient: () => new Promise(() => {}) }).connect();
    peer.conn.receive(bytesOf(request()));
    peer.conn.receive(new Uint8Array(EARLY_BYTES_LIMIT + 1));
    expect(peer.wire.destroyed).toBe(true);
  });
});

describe('the query a service sees', () => {
  test("the tap's key and deflate are the host's: removed; the tap is chosen from the request", () => {
    const taps: string[] = [];
    const r = rig({
      tapKey: 'tap',
      tapFor: (q, id) => {
        taps.push(`${id}:${q.get('tap')}`);
        return () => {};
      },
    });
    const peer = r.connect({ tap: undefined as never, id: 'c9' });
    peer.conn.receive(bytesOf(request('/echo?tap=T&deflate=0&read=5')));
    expect(taps).toEqual(['c9:T']);
    expect(peer.opened[0]!.query.toString()).toBe('read=5');
  });

  test('a service that declines permessage-deflate sees deflate= as sent (a learner server, as ws gives req.url)', () => {
    const peer = serving({ deflate: false }).connect();
    peer.conn.receive(bytesOf(request('/echo?deflate=0')));
    expect(peer.opened[0]!.query.toString()).toBe('deflate=0');
  });

  test('a hidden route (the tap itself) is never tapped', () => {
    const tapService: Service = { path: '/__tap', description: 'tap', open: () => {} };
    let asked = 0;
    const r = rig({
      hidden: new Map([['/__tap', tapService]]),
      tapFor: () => {
        asked++;
        return () => {};
      },
    });
    const peer = r.connect({ tap: undefined as never });
    peer.conn.receive(bytesOf(request('/__tap?tap=x')));
    expect(statusLine(peer.read())).toBe('HTTP/1.1 101 Switching Protocols');
    expect(asked).toBe(0);
  });
});

describe('reads lent by a transport that reuses its buffer (receiveBorrowed)', () => {
  /** Lends `bytes` as a reusing transport does: afterwards their memory is overwritten. */
  const lend = (peer: ReturnType<ReturnType<typeof rig>['connect']>, bytes: Uint8Array): boolean => {
    const buffer = bytes.slice();
    const kept = peer.conn.receiveBorrowed(buffer);
    if (!kept) buffer.fill(0x58);
    return kept;
  };

  test('before the 101 the core keeps a copy: a head lent in pieces is read whole', () => {
    const peer = rig().connect({ tap: undefined });
    const req = bytesOf(request());
    expect(lend(peer, req.subarray(0, 40))).toBe(false);
    expect(lend(peer, req.subarray(40))).toBe(false);
    expect(statusLine(peer.read())).toBe('HTTP/1.1 101 Switching Protocols');
  });

  test('once open it says whether it still refers to the bytes: half a frame, then none', () => {
    const peer = rig().connect({ tap: undefined });
    peer.conn.receive(bytesOf(request()));
    peer.read();
    const big = 'x'.repeat(5000);
    const frame = clientText(big);
    // Half a frame: the engine holds a view of it, so the transport must not reuse this memory.
    const first = frame.slice(0, 2000);
    expect(peer.conn.receiveBorrowed(first)).toBe(true);
    expect(lend(peer, frame.subarray(2000))).toBe(false);
    expect(peer.read()).toBe(serverText(big));
    expect(lend(peer, clientText('whole'))).toBe(false);
    expect(peer.read()).toBe(serverText('whole'));
  });

  test('a tapped connection keeps a copy: the tap shows the bytes as they were read', () => {
    const peer = rig().connect();
    peer.conn.receive(bytesOf(request()));
    const frame = clientText('tapped');
    expect(lend(peer, frame.subarray(0, 5))).toBe(false);
    expect(lend(peer, frame.subarray(5))).toBe(false);
    const read = peer.events.find((e) => e.kind === 'frame' && e.from === 'client');
    expect(read).toMatchObject({ bytes: frame });
    expect(peer.read()).toContain(serverText('tapped'));
  });
});
