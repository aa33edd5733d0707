/** The byte tap mirrors exactly what crossed the wire, to the subscribers of one token only. */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import type { WireEvent } from '../protocol/types.ts';
import { readTapMessage, type TapMessage } from '../services/wire-json.ts';
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
  testServers,
  wsUrl,
} from './test-helpers.ts';

const servers = testServers();

const token = (): string => randomBytes(18).toString('base64url');

async function subscribe(s: Standalone, t: string): Promise<{ ws: WebSocket; events: TapMessage[] }> {
  const ws = await openWs(wsUrl(s, `/__tap?token=${t}`));
  servers.later(() => ws.terminate());
  const events: TapMessage[] = [];
  const inbox = inboxOf(ws);
  // Decode what arrived so far and from now on.
  for (const m of inbox.messages) events.push(readTapMessage(m.data as string));
  ws.on('message', (d: Buffer) => events.push(readTapMessage(d.toString('utf8'))));
  return { ws, events };
}

async function until(events: TapMessage[], pred: (e: WireEvent) => boolean, what: string): Promise<void> {
  for (let i = 0; i < 150; i++) {
    if (events.some((m) => pred(m.event))) return;
    await sleep(20);
  }
  throw new Error(`tap: no ${what}; got ${events.map((m) => m.event.kind).join(',')}`);
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('the byte tap', () => {
  it('shows the handshake both ways and every frame byte for byte as the client wrote it', async () => {
    const server = await servers.start();
    const t = token();
    const tap = await subscribe(server, t);
    const client = await RawClient.connect(server.port);
    servers.later(() => client.destroy());
    const request = requestHead(`/echo?tap=${t}`, server.port, { 'User-Agent': 'tap-test' });
    client.write(request);
    const response = await client.readHead();

    // A text frame with a known mask key, split across two TCP writes.
    const text = frameBytes({
      opcode: 1,
      payload: 'hello tap',
      mask: new Uint8Array([0x37, 0xfa, 0x21, 0x3d]),
    });
    client.write(text.subarray(0, 5));
    await sleep(20);
    client.write(text.subarray(5));
    await client.until(() => client.frames().length === 1, 3_000, 'echo');
    const ping = frameBytes({ opcode: 9, payload: 'p' });
    const close = frameBytes({ opcode: 8, payload: closePayload(1000, 'bye') });
    client.write(Buffer.concat([ping, close]));
    await client.tcpEnded();
    await until(tap.events, (e) => e.kind === 'eof' && e.from === 'server', 'eof');

    const events = tap.events.map((m) => m.event);
    const conns = new Set(tap.events.map((m) => m.conn));
    expect(conns.size).toBe(1);

    const handshakes = events.filter((e) => e.kind === 'handshake');
    expect(handshakes).toEqual([
      expect.objectContaining({ from: 'client', text: request }),
      expect.objectContaining({ from: 'server', text: response }),
    ]);

    const fromClient = events.filter((e) => e.kind === 'frame' && e.from === 'client') as Array<
      Extract<WireEvent, { kind: 'frame' }>
    >;
    expect(fromClient.map((e) => hex(e.bytes))).toEqual([hex(text), hex(ping), hex(close)]);

    // Server frames: exactly what the client received after the 101.
    const fromServer = events.filter((e) => e.kind === 'frame' && e.from === 'server') as Array<
      Extract<WireEvent, { kind: 'frame' }>
    >;
    expect(Buffer.concat(fromServer.map((e) => Buffer.from(e.bytes))).toString('hex')).toBe(
      client.buffer.toString('hex'),
    );
    expect(fromServer.map((e) => (e.bytes[0] as number) & 15)).toEqual([1, 0xa, 8]);

    expect(events.filter((e) => e.kind === 'state').map((e) => (e as { state: string }).state)).toEqual([
      'OPEN',
      'CLOSED',
    ]);
    expect(events.find((e) => e.kind === 'close')).toMatchObject({
      code: 1000,
      reason: 'bye',
      wasClean: true,
    });
    // Timestamps never go backwards.
    const ts = events.map((e) => e.t);
    expect([...ts].sort((a, b) => a - b)).toEqual(ts);
  });

  it('reports bytes that could not be framed raw, with the error', async () => {
    const server = await servers.start();
    const t = token();
    const tap = await subscribe(server, t);
    const { client } = await RawClient.open(server.port, `/echo?tap=${t}`);
    servers.later(() => client.destroy());
    const bad = frameBytes({ opcode: 1, payload: 'naked', mask: null });
    client.write(bad);
    await client.tcpEnded();
    await until(tap.events, (e) => e.kind === 'eof' && e.from === 'server', 'eof');
    const events = tap.events.map((m) => m.event);
    expect(events.find((e) => e.kind === 'error')).toMatchObject({ code: 'UNMASKED_CLIENT_FRAME' });
    const raw = events.find((e) => e.kind === 'bytes') as Extract<WireEvent, { kind: 'bytes' }>;
    expect(hex(raw.bytes)).toBe(hex(bad));
    expect(raw.note).toContain('UNMASKED_CLIENT_FRAME');
    // The server's close frame (1002) is shown too.
    const serverClose = events.find((e) => e.kind === 'frame' && e.from === 'server') as Extract<
      WireEvent,
      { kind: 'frame' }
    >;
    expect(Buffer.from(serverClose.bytes).readUInt16BE(2)).toBe(1002);
  });

  it('shows a refused handshake (426) to the subscriber', async () => {
    const server = await servers.start();
    const t = token();
    const tap = await subscribe(server, t);
    const client = await RawClient.connect(server.port);
    servers.later(() => client.destroy());
    client.write(requestHead(`/echo?tap=${t}`, server.port, { 'Sec-WebSocket-Version': '12' }));
    await client.ended;
    await until(tap.events, (e) => e.kind === 'handshake' && e.from === 'server', 'response');
    const answer = tap.events
      .map((m) => m.event)
      .find((e) => e.kind === 'handshake' && e.from === 'server') as { text: string };
    expect(answer.text).toMatch(/^HTTP\/1\.1 426/);
  });

  it('sends a subscriber only the connections carrying its own token', async () => {
    const server = await servers.start();
    const mine = token();
    const theirs = token();
    const a = await subscribe(server, mine);
    const b = await subscribe(server, theirs);
    const ws = await openWs(wsUrl(server, `/echo?tap=${mine}`));
    servers.later(() => ws.terminate());
    ws.send('secret');
    await inboxOf(ws).next();
    await until(a.events, (e) => e.kind === 'frame' && e.from === 'server', 'echo');
    await sleep(50);
    expect(b.events).toHaveLength(0);
  });

  it('does not tap the tap itself', async () => {
    const server = await servers.start();
    const t = token();
    const first = await subscribe(server, t);
    const third = await openWs(wsUrl(server, `/__tap?token=${t}&tap=${t}`));
    servers.later(() => third.terminate());
    await sleep(100);
    expect(first.events).toHaveLength(0);
  });

  it('keeps the events of a connection opened just before its subscriber', async () => {
    const server = await servers.start();
    const t = token();
    const ws = await openWs(wsUrl(server, `/echo?tap=${t}`));
    servers.later(() => ws.terminate());
    ws.send('early');
    await inboxOf(ws).next();
    const tap = await subscribe(server, t);
    await until(tap.events, (e) => e.kind === 'frame' && e.from === 'server', 'backlog');
    expect(tap.events[0]?.event.kind).toBe('handshake');
  });

  it('refuses a token that is short or has odd characters (1008)', async () => {
    const server = await servers.start();
    const ws = await openWs(wsUrl(server, '/__tap?token=abc'));
    expect((await closed(ws)).code).toBe(1008);
  });

  it('never slows the tapped connection: a dead subscriber is cut off, the echo goes on', async () => {
    const server = await servers.start({ maxBufferedBytes: 256 * 1024 });
    const t = token();
    // A subscriber that never reads: a raw socket that completes the handshake, then pauses.
    const { client: dead } = await RawClient.open(server.port, `/__tap?token=${t}`);
    servers.later(() => dead.destroy());
    dead.socket.pause();
    const ws = await openWs(wsUrl(server, `/echo?tap=${t}`));
    servers.later(() => ws.terminate());
    // Random bytes: permessage-deflate cannot shrink them, so the tap carries all of them.
    const big = randomBytes(60 * 1024);
    for (let i = 0; i < 100; i++) {
      ws.send(big);
      await inboxOf(ws).next();
    }
    // The subscriber was failed as a slow reader (then dropped at the close deadline); the
    // tapped connection is untouched.
    for (let i = 0; i < 150 && server.playground.connections > 1; i++) await sleep(20);
    expect(server.playground.connections).toBe(1);
    ws.send('still fine');
    expect((await inboxOf(ws).next()).data).toBe('still fine');
  });
});
