/**
 * Bad input over raw TCP: every violation gets the RFC's close code and TCP is ended; the
 * server survives, forgets the connection, and a bystander client keeps echoing.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import type { Standalone } from './standalone.ts';
import {
  RawClient,
  closePayload,
  closed,
  frameBytes,
  inboxOf,
  openWs,
  requestHead,
  sleep,
  startTestServer,
  wsUrl,
  type RawFrame,
} from './test-helpers.ts';

let server: Standalone;
let bystander: WebSocket;
let round = 0;

beforeAll(async () => {
  server = await startTestServer({ maxMessageSize: 64 * 1024, closeTimeout: 500 });
  bystander = await openWs(wsUrl(server, '/echo'));
});

afterAll(async () => {
  bystander.terminate();
  await server.stop();
});

afterEach(async () => {
  // One bad client never disturbs another: the bystander still echoes, in order.
  const msg = `still echoing ${++round}`;
  bystander.send(msg);
  expect((await inboxOf(bystander).next()).data).toBe(msg);
  // ...and nothing leaks: only the bystander is left once the bad client's socket closed.
  for (let i = 0; i < 50 && server.playground.connections > 1; i++) await sleep(20);
  expect(server.playground.connections).toBe(1);
});

async function expectFailure(frames: Array<RawFrame | Buffer>, code: number): Promise<RawClient> {
  const { client } = await RawClient.open(server.port, '/echo');
  for (const f of frames) client.write(Buffer.isBuffer(f) ? f : frameBytes(f));
  const close = await client.closeFrame();
  expect(close.code).toBe(code);
  await client.tcpEnded();
  return client;
}

describe('framing errors fail with 1002 and end TCP', () => {
  it('fails with 1002 when a client frame is not masked (5.1)', async () => {
    await expectFailure([{ opcode: 1, payload: 'hi', mask: null }], 1002);
  });

  for (const [name, rsv] of [
    ['RSV1', 4],
    ['RSV2', 2],
    ['RSV3', 1],
  ] as const) {
    it(`fails with 1002 when ${name} is set without an extension (5.2)`, async () => {
      await expectFailure([{ opcode: 1, payload: 'hi', rsv }], 1002);
    });
  }

  for (const opcode of [0x3, 0x7, 0xb, 0xf]) {
    it(`fails with 1002 on reserved opcode 0x${opcode.toString(16)} (5.2)`, async () => {
      await expectFailure([{ opcode, payload: 'x' }], 1002);
    });
  }

  it('fails with 1002 on a continuation frame with no message in progress (5.4)', async () => {
    await expectFailure([{ opcode: 0, payload: 'orphan' }], 1002);
  });

  it('fails with 1002 on a new data frame inside a fragmented message (5.4)', async () => {
    await expectFailure(
      [
        { opcode: 1, fin: false, payload: 'part 1' },
        { opcode: 1, payload: 'not a continuation' },
      ],
      1002,
    );
  });

  it('fails with 1002 when a control frame is over 125 bytes (5.5)', async () => {
    await expectFailure([{ opcode: 9, payload: new Uint8Array(126) }], 1002);
  });

  it('fails with 1002 when a control frame is fragmented (5.5)', async () => {
    await expectFailure([{ opcode: 9, fin: false, payload: 'ping' }], 1002);
  });

  it('fails with 1002 on a 64-bit length with its top bit set (5.2)', async () => {
    const f = frameBytes({ opcode: 2, payload: new Uint8Array(0), lengthBits: 64 });
    f[2] = 0x80; // most significant bit of the 64-bit length
    await expectFailure([f], 1002);
  });

  it('fails with 1002 on a length not in the minimal number of bytes (5.2)', async () => {
    await expectFailure([{ opcode: 1, payload: 'hi', lengthBits: 16 }], 1002);
  });

  it('fails with 1002 on a close frame of one byte (5.5.1)', async () => {
    await expectFailure([{ opcode: 8, payload: new Uint8Array([3]) }], 1002);
  });

  for (const code of [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535]) {
    it(`fails with 1002 on close code ${code}, which may not be sent (7.4)`, async () => {
      await expectFailure([{ opcode: 8, payload: closePayload(code) }], 1002);
    });
  }
});

describe('a message completed before a violation in the same TCP read is echoed first (7.1.7)', () => {
  it('Autobahn 3.2: echoes the text, then closes 1002 for the RSV2 frame that followed it in one write', async () => {
    const { client } = await RawClient.open(server.port, '/echo');
    // One write, so the server reads both frames in one chunk.
    client.write(
      Buffer.concat([
        frameBytes({ opcode: 1, payload: 'Hello, world!' }),
        frameBytes({ opcode: 1, payload: 'Hello, world!', rsv: 2 }),
      ]),
    );
    const close = await client.closeFrame();
    expect(close.code).toBe(1002);
    await client.tcpEnded();
    const frames = client.frames();
    expect(frames.map((f) => f.opcode)).toEqual([1, 8]);
    expect(frames[0]?.payload.toString('utf8')).toBe('Hello, world!');
  });
});

describe('invalid UTF-8 fails with 1007', () => {
  it('fails with 1007 on invalid UTF-8 in a text message (8.1)', async () => {
    await expectFailure([{ opcode: 1, payload: new Uint8Array([0x68, 0xff, 0x69]) }], 1007);
  });

  it('fails with 1007 on a surrogate encoded in UTF-8 (ED A0 80)', async () => {
    await expectFailure([{ opcode: 1, payload: new Uint8Array([0xed, 0xa0, 0x80]) }], 1007);
  });

  it('fails with 1007 when a fragmented text message is invalid only across fragments', async () => {
    // C3 starts a 2-byte sequence; 28 ('(') is not a continuation byte (110xxxxx 10xxxxxx).
    await expectFailure(
      [
        { opcode: 1, fin: false, payload: new Uint8Array([0x61, 0xc3]) },
        { opcode: 0, payload: new Uint8Array([0x28]) },
      ],
      1007,
    );
  });

  it('fails with 1007 on a text message that ends inside a character', async () => {
    await expectFailure([{ opcode: 1, payload: new Uint8Array([0xe2, 0x82]) }], 1007);
  });

  it('fails with 1007 on an invalid UTF-8 close reason (5.5.1)', async () => {
    await expectFailure(
      [{ opcode: 8, payload: Buffer.concat([closePayload(1000), Buffer.from([0xc0, 0xaf])]) }],
      1007,
    );
  });
});

describe('limits', () => {
  it('fails with 1009 on a message over the limit, from its header alone', async () => {
    // Claims 2^40 bytes and sends none: the server must not wait for (or buffer) them.
    const f = frameBytes({ opcode: 2, payload: new Uint8Array(0), lengthBits: 64 });
    f[3] = 1; // 2^40
    await expectFailure([f], 1009);
  });

  it('fails with 1009 on a fragmented message whose fragments sum over the limit', async () => {
    const part = new Uint8Array(40 * 1024);
    await expectFailure(
      [
        { opcode: 2, fin: false, payload: part },
        { opcode: 0, payload: part },
      ],
      1009,
    );
  });

  it('fails with 1002, not 1009, on an unexpected continuation frame whose declared length is over the limit (5.4 first)', async () => {
    // 2^40 bytes declared on a continuation with no message begun: the frame may not come at
    // all, so the protocol error is the answer, whatever its size.
    const f = frameBytes({ opcode: 0, payload: new Uint8Array(0), lengthBits: 64 });
    f[3] = 1; // 2^40
    await expectFailure([f], 1002);
  });

  it('fails with 1002, not 1009, on a new message over the limit inside a fragmented one (5.4 first)', async () => {
    const f = frameBytes({ opcode: 2, payload: new Uint8Array(0), lengthBits: 64 });
    f[3] = 1; // 2^40
    await expectFailure([frameBytes({ opcode: 1, fin: false, payload: 'part 1' }), f], 1002);
  });

  it('accepts a message of exactly the limit', async () => {
    const { client } = await RawClient.open(server.port, '/echo');
    client.write(frameBytes({ opcode: 2, payload: new Uint8Array(64 * 1024).fill(5) }));
    await client.until(() => client.frames().length > 0, 3_000, 'echo');
    expect(client.frames()[0]?.payload.length).toBe(64 * 1024);
    client.destroy();
  });
});

describe('valid but unusual input', () => {
  it('reassembles a frame written one byte at a time', async () => {
    const { client } = await RawClient.open(server.port, '/echo');
    const bytes = frameBytes({ opcode: 1, payload: 'slowly' });
    for (const b of bytes) {
      client.write(Buffer.from([b]));
      await sleep(2);
    }
    await client.until(() => client.frames().length > 0, 3_000, 'echo');
    expect(client.frames()[0]?.payload.toString()).toBe('slowly');
    client.destroy();
  });

  it('echoes frames that came in the same TCP chunk as the handshake', async () => {
    const client = await RawClient.connect(server.port);
    client.write(
      Buffer.concat([
        Buffer.from(requestHead('/echo', server.port)),
        frameBytes({ opcode: 1, payload: 'eager' }),
      ]),
    );
    expect(await client.readHead()).toMatch(/^HTTP\/1\.1 101/);
    await client.until(() => client.frames().length > 0, 3_000, 'echo');
    expect(client.frames()[0]?.payload.toString()).toBe('eager');
    client.destroy();
  });

  it('answers an interleaved ping inside a fragmented message, then the whole message', async () => {
    const { client } = await RawClient.open(server.port, '/echo');
    client.write(frameBytes({ opcode: 1, fin: false, payload: 'frag' }));
    client.write(frameBytes({ opcode: 9, payload: 'mid' }));
    client.write(frameBytes({ opcode: 0, payload: 'ment' }));
    await client.until(() => client.frames().length >= 2, 3_000, 'pong and echo');
    const [pong, echo] = client.frames();
    expect(pong?.opcode).toBe(0xa);
    expect(pong?.payload.toString()).toBe('mid');
    expect(echo?.payload.toString()).toBe('fragment');
    client.destroy();
  });

  it('forgets a client that drops TCP in the middle of a frame', async () => {
    const { client } = await RawClient.open(server.port, '/echo');
    client.write(frameBytes({ opcode: 2, payload: new Uint8Array(1000) }).subarray(0, 500));
    await sleep(50);
    client.destroy();
  });

  it('ends TCP after the closing handshake, and drops a peer that never closes its side', async () => {
    const { client } = await RawClient.open(server.port, '/echo');
    client.write(frameBytes({ opcode: 8, payload: closePayload(1000, 'done') }));
    expect(await client.closeFrame()).toEqual({ code: 1000, reason: 'done' });
    // 7.1.1: the server closes TCP first.
    await client.tcpEnded();
    expect(client.gotEnd).toBe(true);
  });

  it('drops TCP when the client never answers the server’s close (close timeout)', async () => {
    const { client } = await RawClient.open(server.port, '/close?code=4002');
    expect((await client.closeFrame()).code).toBe(4002);
    // No close frame back: the close deadline (500 ms here) ends it.
    const t0 = Date.now();
    await client.tcpEnded(3_000);
    await client.ended;
    expect(Date.now() - t0).toBeLessThan(2_500);
  });

  it('echoes a message that shares a TCP chunk with the close after it, then answers the close', async () => {
    const { client } = await RawClient.open(server.port, '/echo');
    client.write(
      Buffer.concat([
        frameBytes({ opcode: 1, payload: 'last words' }),
        frameBytes({ opcode: 8, payload: closePayload(1000, 'bye') }),
      ]),
    );
    await client.tcpEnded();
    expect(client.frames().map((f) => [f.opcode, f.payload.toString('latin1')])).toEqual([
      [1, 'last words'],
      [8, '\x03\xe8bye'],
    ]);
  });

  it('ignores bytes after the close frame', async () => {
    const { client } = await RawClient.open(server.port, '/echo');
    client.write(
      Buffer.concat([
        frameBytes({ opcode: 8, payload: closePayload(1000) }),
        frameBytes({ opcode: 1, payload: 'too late' }),
      ]),
    );
    await client.tcpEnded();
    expect(client.frames().map((f) => f.opcode)).toEqual([8]);
  });
});

describe('bad handshakes get their HTTP status and the connection is closed', () => {
  async function answer(raw: string | Buffer): Promise<{ head: string; client: RawClient }> {
    const client = await RawClient.connect(server.port);
    client.write(raw);
    const head = await client.readHead();
    await client.ended;
    return { head, client };
  }

  it('answers garbage instead of a handshake with 400', async () => {
    const { head } = await answer(
      Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03, 0x0d, 0x0a, 0x0d, 0x0a]),
    );
    expect(head).toMatch(/^HTTP\/1\.1 400/);
  });

  it('answers a wrong version with 426 and Sec-WebSocket-Version: 13 (4.4)', async () => {
    const { head } = await answer(requestHead('/echo', server.port, { 'Sec-WebSocket-Version': '8' }));
    expect(head).toMatch(/^HTTP\/1\.1 426/);
    expect(head).toMatch(/\r\nSec-WebSocket-Version: 13\r\n/i);
  });

  it('answers a missing Sec-WebSocket-Key with 400', async () => {
    const { head } = await answer(requestHead('/echo', server.port, {}, ['Sec-WebSocket-Key']));
    expect(head).toMatch(/^HTTP\/1\.1 400/);
  });

  it('answers a key that is not 16 bytes of base64 with 400', async () => {
    const { head } = await answer(requestHead('/echo', server.port, { 'Sec-WebSocket-Key': 'c2hvcnQ=' }));
    expect(head).toMatch(/^HTTP\/1\.1 400/);
  });

  it('answers an unknown path with 404', async () => {
    const { head } = await answer(requestHead('/nowhere', server.port));
    expect(head).toMatch(/^HTTP\/1\.1 404/);
  });

  it('answers a request head that never ends with 431 or closes it, not hangs', async () => {
    const client = await RawClient.connect(server.port);
    client.write(`GET /echo HTTP/1.1\r\nX-Big: ${'a'.repeat(20_000)}`);
    client.write(`${'a'.repeat(50_000)}\r\n`);
    await client.ended;
    expect(client.buffer.toString('latin1')).toMatch(/^HTTP\/1\.1 4\d\d/);
  });
});

describe('server policies', () => {
  it('refuses an Origin outside the allowlist with 403 and accepts one inside it', async () => {
    const s = await startTestServer({ origins: ['http://allowed.example'] });
    try {
      const bad = await RawClient.connect(s.port);
      bad.write(requestHead('/echo', s.port, { Origin: 'http://evil.example' }));
      expect(await bad.readHead()).toMatch(/^HTTP\/1\.1 403/);
      const none = await RawClient.connect(s.port);
      none.write(requestHead('/echo', s.port));
      expect(await none.readHead()).toMatch(/^HTTP\/1\.1 403/);
      const good = await RawClient.connect(s.port);
      good.write(requestHead('/echo', s.port, { Origin: 'http://allowed.example' }));
      expect(await good.readHead()).toMatch(/^HTTP\/1\.1 101/);
      good.destroy();
    } finally {
      await s.stop();
    }
  });

  it('refuses connections over the maximum with 503, and accepts again once one leaves', async () => {
    const s = await startTestServer({ maxConnections: 2 });
    try {
      const a = await openWs(wsUrl(s, '/echo'));
      const b = await openWs(wsUrl(s, '/echo'));
      await expect(openWs(wsUrl(s, '/echo'))).rejects.toThrow('503');
      a.close();
      await closed(a);
      for (let i = 0; i < 50 && s.playground.connections > 1; i++) await sleep(20);
      const c = await openWs(wsUrl(s, '/echo'));
      c.terminate();
      b.terminate();
    } finally {
      await s.stop();
    }
  });

  it('closes a connection whose request head does not arrive within the handshake timeout', async () => {
    const s = await startTestServer({ handshakeTimeout: 300 });
    try {
      const client = await RawClient.connect(s.port);
      client.write('GET /echo HTTP/1.1\r\nHost: x\r\n');
      const t0 = Date.now();
      await client.ended;
      expect(Date.now() - t0).toBeLessThan(2_500);
      expect(client.buffer.toString('latin1')).toMatch(/^HTTP\/1\.1 408/);
    } finally {
      await s.stop();
    }
  });

  it('keeps an upgraded connection open past the handshake timeout', async () => {
    const s = await startTestServer({ handshakeTimeout: 200 });
    try {
      const ws = await openWs(wsUrl(s, '/echo'));
      await sleep(700);
      ws.send('alive');
      expect((await inboxOf(ws).next()).data).toBe('alive');
      ws.terminate();
    } finally {
      await s.stop();
    }
  });
});
