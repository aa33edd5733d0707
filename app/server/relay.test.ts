/**
 * The relay (/__relay?to=ws://...): a `ws` server in the test is the learner's own server, a
 * `ws` client stands in for the browser. Messages, fragments, ping/pong and close pass both
 * ways; the tap shows each leg's frames as each side wrote them; refused targets get a clear
 * HTTP answer.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { computeAccept } from '../protocol/handshake.ts';
import type { WireEvent } from '../protocol/types.ts';
import { readTapMessage } from '../services/wire-json.ts';
import { lanAddresses } from './cli.ts';
import { checkRelayTarget, isLoopbackHost, parseAllowList } from './relay-target.ts';
import type { Standalone } from './standalone.ts';
import {
  closed,
  inboxOf,
  openWs,
  RawClient,
  requestHead,
  sleep,
  testServers,
  wsUrl,
} from './test-helpers.ts';

const servers = testServers();
let target: WebSocketServer | undefined;

afterEach(async () => {
  for (const c of target?.clients ?? []) c.terminate();
  await new Promise<void>((r) => (target ? target.close(() => r()) : r()));
  target = undefined;
});

/** The learner's server: a ws server on 127.0.0.1 that records what it gets and echoes. */
async function startTarget(
  onConnection?: (ws: WebSocket) => void,
  options: ConstructorParameters<typeof WebSocketServer>[0] = {},
): Promise<{ port: number; got: Array<{ data: string; isBinary: boolean }>; sockets: WebSocket[] }> {
  const got: Array<{ data: string; isBinary: boolean }> = [];
  const sockets: WebSocket[] = [];
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, ...options });
  target = wss;
  wss.on('connection', (ws) => {
    sockets.push(ws);
    ws.on('message', (d: Buffer, isBinary: boolean) => {
      got.push({ data: isBinary ? d.toString('hex') : d.toString('utf8'), isBinary });
    });
    if (onConnection) onConnection(ws);
    else ws.on('message', (d: Buffer, isBinary: boolean) => ws.send(d, { binary: isBinary }));
  });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  return { port: (wss.address() as AddressInfo).port, got, sockets };
}

const token = (): string => randomBytes(18).toString('base64url');

async function tapOf(s: Standalone, t: string): Promise<WireEvent[]> {
  const ws = await openWs(wsUrl(s, `/__tap?token=${t}`));
  servers.later(() => ws.terminate());
  const events: WireEvent[] = [];
  for (const m of inboxOf(ws).messages) events.push(readTapMessage(m.data as string).event);
  ws.on('message', (d: Buffer) => events.push(readTapMessage(d.toString('utf8')).event));
  return events;
}

function relayUrl(s: Standalone, to: string, tap?: string): string {
  return wsUrl(s, `/__relay?to=${encodeURIComponent(to)}${tap ? `&tap=${tap}` : ''}`);
}

/** A frame's parts from its wire bytes (independent of the engine). */
function parts(bytes: Uint8Array): {
  fin: boolean;
  opcode: number;
  masked: boolean;
  key: string;
  payload: string;
} {
  const b = Buffer.from(bytes);
  let len = b[1]! & 127;
  let at = 2;
  if (len === 126) {
    len = b.readUInt16BE(2);
    at = 4;
  } else if (len === 127) {
    len = Number(b.readBigUInt64BE(2));
    at = 10;
  }
  const masked = (b[1]! & 0x80) !== 0;
  const key = masked ? b.subarray(at, at + 4) : Buffer.alloc(0);
  if (masked) at += 4;
  const payload = Buffer.from(b.subarray(at, at + len));
  if (masked) for (let i = 0; i < payload.length; i++) payload[i] = payload[i]! ^ key[i & 3]!;
  return {
    fin: (b[0]! & 0x80) !== 0,
    opcode: b[0]! & 15,
    masked,
    key: key.toString('hex'),
    payload: payload.toString('hex'),
  };
}

const framesFrom = (events: WireEvent[], from: 'client' | 'server') =>
  events
    .filter((e): e is Extract<WireEvent, { kind: 'frame' }> => e.kind === 'frame' && e.from === from)
    .map((e) => parts(e.bytes));

async function until(pred: () => boolean, what: string, ms = 3_000): Promise<void> {
  for (let waited = 0; !pred(); waited += 20) {
    if (waited > ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('relay targets (relay-target.ts)', () => {
  it('allows loopback targets by default and nothing else', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'LOCALHOST'])
      expect(isLoopbackHost(h)).toBe(true);
    for (const h of ['10.0.0.1', 'example.org', '128.0.0.1', '::2', 'localhost.example.org'])
      expect(isLoopbackHost(h)).toBe(false);
    expect(checkRelayTarget('ws://127.0.0.1:9000/path', []).ok).toBe(true);
    const refused = checkRelayTarget('ws://10.1.2.3:9000/path', []);
    expect(refused).toMatchObject({ ok: false, status: 403 });
    expect(!refused.ok && refused.body).toContain('--relay-allow 10.1.2.3:9000');
  });

  it('widens by host:port or host:* from the operator, and refuses bad entries', () => {
    const allow = parseAllowList(['10.1.2.3:9000, [fd00::1]:80', 'example.org:*']);
    expect(checkRelayTarget('ws://10.1.2.3:9000/', allow).ok).toBe(true);
    expect(checkRelayTarget('ws://10.1.2.3:9001/', allow).ok).toBe(false);
    expect(checkRelayTarget('ws://[fd00::1]/', allow).ok).toBe(true);
    expect(checkRelayTarget('wss://example.org/x', allow).ok).toBe(true);
    expect(() => parseAllowList(['10.1.2.3'])).toThrow(/host:port/);
    expect(() => parseAllowList(['a b:1'])).toThrow(/host:port/);
  });

  it('answers a missing, malformed or non-ws target with 400 and what to write', () => {
    expect(checkRelayTarget(null, [])).toMatchObject({ ok: false, status: 400 });
    expect(checkRelayTarget('not a url', [])).toMatchObject({ ok: false, status: 400 });
    expect(checkRelayTarget('http://127.0.0.1:9000/', [])).toMatchObject({ ok: false, status: 400 });
    expect(checkRelayTarget('ws://127.0.0.1:9000/#x', [])).toMatchObject({ ok: false, status: 400 });
  });
});

describe('the relay', () => {
  it('passes messages, fragments, pings and the close both ways; the tap shows each leg as each side wrote it', async () => {
    const server = await servers.start();
    const t = token();
    const browserLeg = await tapOf(server, t);
    const onwardLeg = await tapOf(server, `${t}-onward`);
    const taps = server.playground.connections;
    const { port, got, sockets } = await startTarget(undefined, {
      handleProtocols: (p) => (p.has('chat') ? 'chat' : false),
    });
    const client = await openWs(relayUrl(server, `ws://127.0.0.1:${port}/path?q=1`, t), ['json', 'chat']);
    expect(client.protocol).toBe('chat'); // the target's choice reaches the browser
    const inbox = inboxOf(client);

    client.send('hello through the relay');
    expect((await inbox.next()).data).toBe('hello through the relay');
    client.send(Buffer.from([1, 2, 3]));
    expect((await inbox.next()).data).toEqual(Buffer.from([1, 2, 3]));
    // A message in three frames (5.4): ws sends each part as its own frame.
    client.send('one ', { fin: false });
    client.send('two ', { fin: false });
    client.send('three', { fin: true });
    expect((await inbox.next()).data).toBe('one two three');
    // A ping from the browser side is answered by the target, not the relay.
    const pong = new Promise<string>((r) => client.once('pong', (d: Buffer) => r(d.toString())));
    client.ping('are you there');
    expect(await pong).toBe('are you there');
    // And the target's ping reaches the browser.
    const ping = new Promise<string>((r) => client.once('ping', (d: Buffer) => r(d.toString())));
    sockets[0]!.ping('from the target');
    expect(await ping).toBe('from the target');

    const targetClosed = new Promise<{ code: number; reason: string }>((r) =>
      sockets[0]!.once('close', (code: number, reason: Buffer) => r({ code, reason: reason.toString() })),
    );
    client.close(4001, 'bye from the browser');
    expect(await targetClosed).toEqual({ code: 4001, reason: 'bye from the browser' });
    expect(await closed(client)).toEqual({ code: 4001, reason: 'bye from the browser' });
    expect(got.map((g) => g.data)).toEqual(['hello through the relay', '010203', 'one two three']);

    await until(
      () => onwardLeg.some((e) => e.kind === 'close') && browserLeg.some((e) => e.kind === 'close'),
      'both closes',
    );
    // Leg 1 (browser -> us) and leg 2 (us -> target) carry the same frames, FIN and opcode
    // included, so the fragments are kept; each client leg masks with its own keys.
    const sent1 = framesFrom(browserLeg, 'client');
    const sent2 = framesFrom(onwardLeg, 'client');
    const strip = (f: ReturnType<typeof parts>) => ({ fin: f.fin, opcode: f.opcode, payload: f.payload });
    expect(sent2.map(strip)).toEqual(sent1.map(strip));
    expect(sent1.map((f) => `${f.fin ? 'F' : '-'}${f.opcode.toString(16).toUpperCase()}`)).toEqual([
      'F1',
      'F2',
      '-1',
      '-0',
      'F0',
      'F9',
      'FA',
      'F8',
    ]);
    expect(sent1.every((f) => f.masked) && sent2.every((f) => f.masked)).toBe(true);
    expect(sent2.map((f) => f.key)).not.toEqual(sent1.map((f) => f.key));
    // What the target wrote is what the browser read, byte for byte (servers do not mask).
    expect(framesFrom(browserLeg, 'server')).toEqual(framesFrom(onwardLeg, 'server'));
    // Two handshakes: the browser's with us, ours with the target (its own key, the same offer).
    const hs = (events: WireEvent[]) =>
      events
        .filter((e): e is Extract<WireEvent, { kind: 'handshake' }> => e.kind === 'handshake')
        .map((e) => e.text);
    const [req1, res1] = hs(browserLeg);
    const [req2, res2] = hs(onwardLeg);
    expect(req1).toMatch(/^GET \/__relay\?to=/);
    expect(req2).toMatch(/^GET \/path\?q=1 HTTP\/1.1\r\n/);
    expect(req2).toMatch(/Sec-WebSocket-Protocol: json, chat/);
    expect(res1).toMatch(/^HTTP\/1.1 101/);
    expect(res2).toMatch(/^HTTP\/1.1 101/);
    expect(res1).toMatch(/Sec-WebSocket-Protocol: chat/);
    const key = (text?: string) => /Sec-WebSocket-Key: (\S+)/i.exec(text ?? '')?.[1];
    expect(key(req2)).not.toBe(key(req1));
    expect(browserLeg.find((e) => e.kind === 'close')).toMatchObject({ code: 4001, wasClean: true });
    expect(onwardLeg.find((e) => e.kind === 'close')).toMatchObject({ code: 4001, wasClean: true });
    await until(() => server.playground.connections === taps, 'the relay to be forgotten');
  });

  it('passes a close the target starts, with its code and reason', async () => {
    const server = await servers.start();
    const { port } = await startTarget((ws) => ws.on('message', () => ws.close(4002, 'server says bye')));
    const client = await openWs(relayUrl(server, `ws://localhost:${port}/`));
    client.send('close please');
    expect(await closed(client)).toEqual({ code: 4002, reason: 'server says bye' });
  });

  it('drops the browser leg without a Close when the target drops TCP (the page sees 1006)', async () => {
    const server = await servers.start();
    const { port } = await startTarget((ws) => ws.on('message', () => ws.terminate()));
    const client = await openWs(relayUrl(server, `ws://127.0.0.1:${port}/`));
    client.send('drop me');
    expect((await closed(client)).code).toBe(1006);
  });

  it('refuses a target the operator did not allow: 403 with why and how to allow it', async () => {
    const server = await servers.start();
    const t = token();
    const leg = await tapOf(server, t);
    const raw = await RawClient.connect(server.port);
    servers.later(() => raw.destroy());
    raw.write(
      requestHead(`/__relay?to=${encodeURIComponent('ws://192.0.2.7:9000/x')}&tap=${t}`, server.port),
    );
    const head = await raw.readHead();
    expect(head).toMatch(/^HTTP\/1.1 403 Forbidden/);
    await raw.tcpEnded();
    const body = raw.buffer.toString('utf8');
    expect(body).toContain('192.0.2.7:9000 is not on this machine');
    expect(body).toContain('--relay-allow 192.0.2.7:9000');
    // The lab reads the refusal from the tap: the whole answer, body included.
    await until(() => leg.some((e) => e.kind === 'handshake' && e.from === 'server'), 'the tapped 403');
    const answer = leg.find((e) => e.kind === 'handshake' && e.from === 'server');
    expect(answer).toMatchObject({ text: expect.stringContaining('--relay-allow 192.0.2.7:9000') });
    // And a plain GET says the same, for a page that asks before connecting.
    const res = await fetch(
      `http://127.0.0.1:${server.port}/__relay?to=${encodeURIComponent('ws://192.0.2.7:9000/x')}`,
    );
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('--relay-allow');
  });

  const lan = lanAddresses()[0];
  it.skipIf(lan === undefined)('connects to a non-loopback target once the operator allowed it', async () => {
    const { port } = await startTarget(undefined, { host: '0.0.0.0' });
    const to = `ws://${lan}:${port}/`;
    const before = await servers.start();
    expect((await fetchUpgrade(before, to)).head).toMatch(/^HTTP\/1.1 403/);
    await before.stop();
    const server = await servers.start({ relayAllow: [`${lan}:${port}`] });
    const client = await openWs(relayUrl(server, to));
    client.send('allowed');
    expect((await inboxOf(client).next()).data).toBe('allowed');
    client.close();
  });

  it('answers 502 naming the cause when nothing listens at the target, and when it refuses the handshake', async () => {
    const server = await servers.start();
    const spare = net.createServer();
    await new Promise<void>((r) => spare.listen(0, '127.0.0.1', () => r()));
    const freePort = (spare.address() as AddressInfo).port;
    await new Promise<void>((r) => spare.close(() => r()));
    const res = await fetchUpgrade(server, `ws://127.0.0.1:${freePort}/`);
    expect(res.head).toMatch(/^HTTP\/1.1 502/);
    expect(res.body).toMatch(/could not connect to 127.0.0.1:\d+: ECONNREFUSED/);

    const { port } = await startTarget(undefined, { verifyClient: () => false });
    const refused = await fetchUpgrade(server, `ws://127.0.0.1:${port}/`);
    expect(refused.head).toMatch(/^HTTP\/1.1 502/);
    expect(refused.body).toContain('refused the WebSocket handshake with 401');
  });

  it('passes nothing after a Close (5.5.1): a data frame the target sends after its Close stays on its leg', async () => {
    const server = await servers.start();
    const t = token();
    const browserLeg = await tapOf(server, t);
    const onwardLeg = await tapOf(server, `${t}-onward`);
    const bad = net.createServer((s) => {
      s.once('data', (d) => {
        const key = /Sec-WebSocket-Key: (\S+)/i.exec(d.toString())![1]!;
        s.write(
          `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${computeAccept(key)}\r\n\r\n`,
        );
        // Close 4003, then a text frame that must not follow it.
        s.write(Buffer.from([0x88, 0x02, 0x0f, 0xa3, 0x81, 0x05, ...Buffer.from('late!')]));
      });
      s.on('error', () => {});
    });
    await new Promise<void>((r) => bad.listen(0, '127.0.0.1', () => r()));
    servers.later(() => bad.close());
    const client = await openWs(
      relayUrl(server, `ws://127.0.0.1:${(bad.address() as AddressInfo).port}/`, t),
    );
    expect((await closed(client)).code).toBe(4003);
    expect(inboxOf(client).messages).toEqual([]);
    await until(() => framesFrom(onwardLeg, 'server').length === 2, 'both target frames on its leg');
    expect(framesFrom(onwardLeg, 'server').map((f) => f.opcode)).toEqual([8, 1]);
    expect(framesFrom(browserLeg, 'server').map((f) => f.opcode)).toEqual([8]);
  });

  it('fails the browser leg with 1014 (bad gateway) when the target breaks the protocol', async () => {
    const server = await servers.start();
    // A "server" that answers the handshake, then sends a masked frame (5.1 forbids it).
    const bad = net.createServer((s) => {
      s.once('data', (d) => {
        const key = /Sec-WebSocket-Key: (\S+)/i.exec(d.toString())![1]!;
        const accept = computeAccept(key);
        s.write(
          `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
        );
        s.write(Buffer.from([0x81, 0x82, 1, 2, 3, 4, 0x69 ^ 1, 0x69 ^ 2]));
      });
      s.on('error', () => {});
    });
    await new Promise<void>((r) => bad.listen(0, '127.0.0.1', () => r()));
    servers.later(() => bad.close());
    const client = await openWs(relayUrl(server, `ws://127.0.0.1:${(bad.address() as AddressInfo).port}/`));
    const c = await closed(client);
    expect(c.code).toBe(1014);
    expect(c.reason).toContain('MASKED_SERVER_FRAME');
  });
});

async function fetchUpgrade(server: Standalone, to: string): Promise<{ head: string; body: string }> {
  const raw = await RawClient.connect(server.port);
  servers.later(() => raw.destroy());
  raw.write(requestHead(`/__relay?to=${encodeURIComponent(to)}`, server.port));
  const head = await raw.readHead(5_000);
  await raw.tcpEnded(5_000);
  return { head, body: raw.buffer.toString('utf8') };
}
