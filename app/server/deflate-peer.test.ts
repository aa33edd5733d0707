/**
 * permessage-deflate (RFC 7692) with the `ws` package as the peer, over real TCP, in both
 * roles: ws clients against our /echo with every offer combination, and our engine's client
 * against a ws server with every configuration; compressed and not, fragmented, context
 * takeover on and off.
 */
import { once } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer, type PerMessageDeflateOptions } from 'ws';
import { BROWSER_DEFLATE_OFFER } from '../protocol/permessage-deflate.ts';
import { connectEngineClient, type EngineClient } from './engine-client.ts';
import { closed, inboxOf, openWs, testServers, wsUrl } from './test-helpers.ts';

const servers = testServers();

/** Repetitive text: compresses well, and a second copy costs almost nothing with context kept. */
const TEXT = 'the quick brown fox jumps over the lazy dog; '.repeat(200);
const BINARY = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 7) % 251);

type Offer = Exclude<PerMessageDeflateOptions, undefined>;
const offers: Array<[string, Offer]> = [];
for (const serverNoContextTakeover of [false, true])
  for (const clientNoContextTakeover of [false, true])
    for (const serverMaxWindowBits of [undefined, 9, 15])
      for (const clientMaxWindowBits of [true, 9, 15] as const)
        offers.push([
          JSON.stringify({
            serverNoContextTakeover,
            clientNoContextTakeover,
            serverMaxWindowBits,
            clientMaxWindowBits,
          }),
          {
            serverNoContextTakeover,
            clientNoContextTakeover,
            ...(serverMaxWindowBits !== undefined ? { serverMaxWindowBits } : {}),
            // ws sends a bare `client_max_window_bits` for true (its types only say number).
            clientMaxWindowBits: clientMaxWindowBits as number,
            threshold: 0,
          },
        ]);

/** Bytes ws has read from TCP so far. */
const bytesRead = (ws: WebSocket): number => (ws as unknown as { _socket: Socket })._socket.bytesRead;

/** The parameters of our answer as ws accepted them. */
const acceptedParams = (ws: WebSocket): Record<string, unknown> =>
  (ws as unknown as { _extensions: Record<string, { params: Record<string, unknown> }> })._extensions[
    'permessage-deflate'
  ]!.params;

describe('ws clients against our server (server role)', () => {
  it.each(offers)('offer %s: agreed, and text, binary and fragmented messages echo', async (_, offer) => {
    const server = await servers.start();
    const ws = await openWs(wsUrl(server, '/echo'), undefined, { perMessageDeflate: offer });
    servers.later(() => ws.terminate());
    // ws reports the answer it accepted: our server took the offer.
    expect(ws.extensions).toBe('permessage-deflate');
    const agreed = acceptedParams(ws);
    expect(agreed.server_no_context_takeover).toBe(offer.serverNoContextTakeover || undefined);
    expect(agreed.server_max_window_bits).toBe(offer.serverMaxWindowBits);
    const inbox = inboxOf(ws);
    const before = bytesRead(ws);
    ws.send(TEXT);
    expect((await inbox.next()).data).toBe(TEXT);
    const first = bytesRead(ws) - before;
    // Compressed on the wire: 9000 characters in far fewer bytes.
    expect(first).toBeLessThan(TEXT.length / 10);
    ws.send(TEXT);
    expect((await inbox.next()).data).toBe(TEXT);
    const second = bytesRead(ws) - before - first;
    // 7.1.1: with context takeover the second copy refers back to the first: smaller still.
    if (offer.serverNoContextTakeover) expect(second).toBe(first);
    else expect(second).toBeLessThan(first);
    ws.send(BINARY);
    expect(new Uint8Array((await inbox.next()).data as Buffer)).toEqual(BINARY);
    // 5.4 + 7.2.1: a fragmented compressed message (ws compresses it as one stream).
    ws.send('frag', { fin: false });
    ws.send('ment', { fin: false });
    ws.send('ed é', { fin: true });
    expect((await inbox.next()).data).toBe('fragmented é');
    ws.send('', { compress: false });
    expect((await inbox.next()).data).toBe('');
    ws.close(1000, 'bye');
    expect(await closed(ws)).toEqual({ code: 1000, reason: 'bye' });
  });

  it('a message sent uncompressed (RSV1 clear) is read as it is', async () => {
    const server = await servers.start();
    const ws = await openWs(wsUrl(server, '/echo'), undefined, { perMessageDeflate: { threshold: 1 << 20 } });
    servers.later(() => ws.terminate());
    ws.send('short and not compressed');
    expect((await inboxOf(ws).next()).data).toBe('short and not compressed');
  });

  it('?deflate=0 turns the extension off for that connection', async () => {
    const server = await servers.start();
    const ws = await openWs(wsUrl(server, '/echo?deflate=0'), undefined, { perMessageDeflate: true });
    servers.later(() => ws.terminate());
    expect(ws.extensions).toBe('');
    ws.send(TEXT);
    expect((await inboxOf(ws).next()).data).toBe(TEXT);
  });

  it('the host option deflate: false declines every offer', async () => {
    const server = await servers.start({ deflate: false });
    const ws = await openWs(wsUrl(server, '/echo'), undefined, { perMessageDeflate: true });
    servers.later(() => ws.terminate());
    expect(ws.extensions).toBe('');
  });
});

// ---- our engine as the client, ws as the server ----------------------------------------------

let wss: WebSocketServer | undefined;
const clients: EngineClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.socket.destroy();
  if (wss !== undefined) {
    for (const c of wss.clients) c.terminate();
    await new Promise((r) => wss!.close(r));
    wss = undefined;
  }
});

async function wsEchoServer(perMessageDeflate: PerMessageDeflateOptions | false): Promise<string> {
  wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate });
  wss.on('connection', (ws) => {
    ws.on('message', (data, isBinary) => {
      // Fragment the echo of 'fragment me' to exercise continuation frames from ws.
      if (!isBinary && data.toString() === 'fragment me') {
        ws.send('frag', { fin: false });
        ws.send('ment', { fin: false });
        ws.send('ed', { fin: true });
      } else ws.send(data, { binary: isBinary });
    });
  });
  await once(wss, 'listening');
  return `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`;
}

async function roundTrip(c: EngineClient, send: () => void): Promise<string | Uint8Array> {
  const count = c.events.filter((e) => e.kind === 'message').length;
  send();
  c.flush();
  for (;;) {
    const messages = c.events.filter((e) => e.kind === 'message');
    if (messages.length > count) return messages[count]!.data;
    await c.next('frame');
    await new Promise((r) => setImmediate(r));
  }
}

const serverConfigs: Array<[string, Offer]> = [];
for (const serverNoContextTakeover of [false, true])
  for (const clientNoContextTakeover of [false, true])
    for (const serverMaxWindowBits of [undefined, 10])
      for (const clientMaxWindowBits of [undefined, 9, 15])
        serverConfigs.push([
          JSON.stringify({
            serverNoContextTakeover,
            clientNoContextTakeover,
            serverMaxWindowBits,
            clientMaxWindowBits,
          }),
          {
            serverNoContextTakeover,
            clientNoContextTakeover,
            ...(serverMaxWindowBits !== undefined ? { serverMaxWindowBits } : {}),
            ...(clientMaxWindowBits !== undefined ? { clientMaxWindowBits } : {}),
            threshold: 0,
          },
        ]);

describe('our client against a ws server (client role)', () => {
  it.each(serverConfigs)('ws server %s: agreed, messages echo compressed', async (_, config) => {
    const url = await wsEchoServer(config);
    const c = await connectEngineClient(url, { extensions: [BROWSER_DEFLATE_OFFER] });
    clients.push(c);
    expect(c.deflate).toBeDefined();
    expect(c.deflate!.serverNoContextTakeover).toBe(config.serverNoContextTakeover);
    expect(c.deflate!.clientNoContextTakeover).toBe(config.clientNoContextTakeover);
    if (config.clientMaxWindowBits !== undefined)
      expect(c.deflate!.clientMaxWindowBits).toBe(config.clientMaxWindowBits);
    for (let i = 0; i < 3; i++) expect(await roundTrip(c, () => c.connection.sendText(TEXT))).toBe(TEXT);
    expect(await roundTrip(c, () => c.connection.sendBinary(BINARY))).toEqual(BINARY);
    expect(await roundTrip(c, () => c.connection.sendText('fragmented é', { fragments: 3 }))).toBe(
      'fragmented é',
    );
    expect(await roundTrip(c, () => c.connection.sendText('fragment me'))).toBe('fragmented');
    // RFC 7692 §6: what we sent carried RSV1 on the first frame only; the server's too.
    const frames = c.events.filter((e) => e.kind === 'frame');
    const dataFrames = frames.filter((e) => e.frame.opcode <= 2);
    expect(dataFrames.filter((e) => e.frame.opcode !== 0).every((e) => e.frame.rsv1)).toBe(true);
    expect(dataFrames.filter((e) => e.frame.opcode === 0).some((e) => e.frame.rsv1)).toBe(false);
    expect(dataFrames.some((e) => e.from === 'client' && e.frame.opcode === 0)).toBe(true);
    expect(dataFrames.some((e) => e.from === 'server' && e.frame.opcode === 0)).toBe(true);
    // Control frames are never compressed (7.2.1 is about data messages only).
    c.connection.close(1000, 'done');
    c.flush();
    const close = await c.next('close');
    expect(close).toMatchObject({ code: 1000, wasClean: true });
    expect(frames.filter((e) => e.frame.opcode >= 8).some((e) => e.frame.rsv1)).toBe(false);
  });

  it('without the offer nothing is compressed, even with ws willing', async () => {
    const url = await wsEchoServer({ threshold: 0 });
    const c = await connectEngineClient(url);
    clients.push(c);
    expect(c.deflate).toBeUndefined();
    expect(await roundTrip(c, () => c.connection.sendText(TEXT))).toBe(TEXT);
    expect(c.events.some((e) => e.kind === 'frame' && e.frame.rsv1)).toBe(false);
  });

  it('a ws server with deflate off answers no extension and we send plain frames', async () => {
    const url = await wsEchoServer(false);
    const c = await connectEngineClient(url, { extensions: [BROWSER_DEFLATE_OFFER] });
    clients.push(c);
    expect(c.deflate).toBeUndefined();
    expect(await roundTrip(c, () => c.connection.sendText(TEXT))).toBe(TEXT);
  });
});

describe('sizes', () => {
  it('a ws client whose compressed message inflates past our limit gets 1009', async () => {
    const server = await servers.start({ maxMessageSize: 64 * 1024 });
    const ws = await openWs(wsUrl(server, '/echo'), undefined, { perMessageDeflate: { threshold: 0 } });
    servers.later(() => ws.terminate());
    const done = closed(ws);
    // 1 MiB of zeros is about 1 KiB compressed: the frame is small, the message is not.
    ws.send(new Uint8Array(1 << 20));
    expect((await done).code).toBe(1009);
  });
});
