/**
 * /misbehave on the Node server, with the `ws` package (8.x) as the client: what ws really does
 * about each misdeed (its error code and close code, as observed), and the byte tap showing the
 * offending frame or handshake as it was written.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { WireEvent } from '../protocol/types.ts';
import { readTapMessage } from '../services/wire-json.ts';
import { inboxOf, openWs, sleep, testServers, withTimeout, wsUrl } from './test-helpers.ts';

const servers = testServers();

interface Outcome {
  opened: boolean;
  /** ws's error: its `code` and the close code it gives the error (a symbol-keyed property). */
  error?: { code: string | undefined; status: number | undefined; message: string };
  close: { code: number; reason: string };
  messages: string[];
  pings: number[];
  /** The server's wire events for this connection, from the tap. */
  tap: WireEvent[];
}

/** Runs one ws client against /misbehave?`query` with a tap on it, until both are done. */
async function run(query: string, protocols?: string[]): Promise<Outcome> {
  const server = await servers.start();
  const token = randomBytes(18).toString('base64url');
  const tapWs = await openWs(wsUrl(server, `/__tap?token=${token}`));
  servers.later(() => tapWs.terminate());
  const tap: WireEvent[] = [];
  const tapInbox = inboxOf(tapWs);
  for (const m of tapInbox.messages) tap.push(readTapMessage(m.data as string).event);
  tapWs.on('message', (d: Buffer) => tap.push(readTapMessage(d.toString('utf8')).event));

  const url = wsUrl(server, `/misbehave?${query}&tap=${token}`);
  const ws = protocols ? new WebSocket(url, protocols) : new WebSocket(url);
  servers.later(() => ws.terminate());
  const out: Omit<Outcome, 'close' | 'tap'> = { opened: false, messages: [], pings: [] };
  ws.on('open', () => (out.opened = true));
  ws.on('message', (d: Buffer) => out.messages.push(d.toString('utf8')));
  ws.on('ping', (d: Buffer) => out.pings.push(d.length));
  ws.on('error', (e: Error & { code?: string }) => {
    const status = Object.getOwnPropertySymbols(e).find((s) => String(s) === 'Symbol(status-code)');
    out.error = {
      code: e.code,
      status: status ? ((e as unknown as Record<symbol, number>)[status] ?? undefined) : undefined,
      message: e.message,
    };
  });
  const close = await withTimeout(
    new Promise<{ code: number; reason: string }>((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString('utf8') })),
    ),
    5_000,
    `close of /misbehave?${query}`,
  );
  // The server's side ends too: its last tap event is its socket closing.
  for (let i = 0; i < 100 && !tap.some((e) => e.kind === 'eof' && e.from === 'server'); i++) await sleep(20);
  return { ...out, close, tap };
}

const serverFrames = (tap: WireEvent[]): string[] =>
  tap.flatMap((e) =>
    e.kind === 'frame' && e.from === 'server' ? [Buffer.from(e.bytes).toString('hex')] : [],
  );

/** The close code in the first close frame the client sent, as the server read it. */
function clientCloseCode(tap: WireEvent[]): number | undefined {
  const f = tap.find((e) => e.kind === 'frame' && e.from === 'client' && (e.bytes[0]! & 0x0f) === 8);
  if (!f || f.kind !== 'frame') return undefined;
  // The client masks: unmask the two code bytes with the key at 2..5.
  const b = f.bytes;
  return ((b[6]! ^ b[2]!) << 8) | (b[7]! ^ b[3]!);
}

describe('/misbehave on the Node server, ws as the client', () => {
  const frameCases: [string, string, string, number, RegExp][] = [
    // do, the tapped frame's first bytes (hex), ws's error code, its close code, its message
    ['masked-frame', '818537fa213d', 'WS_ERR_UNEXPECTED_MASK', 1002, /MASK must be clear/],
    ['bad-utf8', '810ccebae1bdb9', 'WS_ERR_INVALID_UTF8', 1007, /invalid UTF-8 sequence/],
    ['big-ping', '897e007e', 'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH', 1002, /invalid payload length 126/],
    ['reserved-opcode', '8308', 'WS_ERR_INVALID_OPCODE', 1002, /invalid opcode 3/],
    ['fragmented-ping', '090b', 'WS_ERR_EXPECTED_FIN', 1002, /FIN must be set/],
    ['rsv1', 'c105', 'WS_ERR_UNEXPECTED_RSV_1', 1002, /RSV1 must be clear/],
  ];

  it.each(frameCases)(
    'do=%s: the tap shows %s…; ws fails with %s, sends close %i, and reports 1006 (no close received)',
    async (what, head, code, status, message) => {
      const r = await run(`do=${what}`);
      expect(r.opened).toBe(true);
      expect(serverFrames(r.tap)[0]?.startsWith(head)).toBe(true);
      expect(r.error).toMatchObject({ code, status });
      expect(r.error?.message).toMatch(message);
      // ws sends a Close with the error's code and stops reading: its own close event says 1006.
      expect(clientCloseCode(r.tap)).toBe(status);
      expect(r.close).toEqual({ code: 1006, reason: '' });
      expect(r.messages).toEqual([]);
      // The server read that Close, answered it and ended TCP: a clean close on its side.
      expect(r.tap.find((e) => e.kind === 'close')).toMatchObject({ code: status, wasClean: true });
    },
  );

  it('do=bad-accept: the tapped 101 carries base64(SHA-1(key)); ws refuses it before open, close 1006', async () => {
    const r = await run('do=bad-accept');
    expect(r.opened).toBe(false);
    expect(r.error?.message).toBe('Invalid Sec-WebSocket-Accept header');
    expect(r.close.code).toBe(1006);
    const answer = r.tap.find((e) => e.kind === 'handshake' && e.from === 'server');
    const request = r.tap.find((e) => e.kind === 'handshake' && e.from === 'client');
    if (answer?.kind !== 'handshake' || request?.kind !== 'handshake') throw new Error('no handshake tapped');
    const key = /Sec-WebSocket-Key: (\S+)/i.exec(request.text)![1]!;
    const { createHash } = await import('node:crypto');
    const forgotGuid = createHash('sha1').update(key).digest('base64');
    expect(answer.text).toMatch(/^HTTP\/1\.1 101 /);
    expect(answer.text).toContain(`Sec-WebSocket-Accept: ${forgotGuid}\r\n`);
  });

  it('do=unoffered-protocol: the tapped 101 names "nonsense"; ws refuses it before open, close 1006', async () => {
    const r = await run('do=unoffered-protocol');
    expect(r.opened).toBe(false);
    expect(r.error?.message).toBe('Server sent a subprotocol but none was requested');
    expect(r.close.code).toBe(1006);
    const answer = r.tap.find((e) => e.kind === 'handshake' && e.from === 'server');
    expect(answer?.kind === 'handshake' && answer.text).toContain('Sec-WebSocket-Protocol: nonsense\r\n');
  });

  it('do=unoffered-protocol, the client offering "chat": ws refuses the other name', async () => {
    const r = await run('do=unoffered-protocol', ['chat']);
    expect(r.opened).toBe(false);
    expect(r.error?.message).toBe('Server sent an invalid subprotocol');
  });

  it('do=data-after-close: ws takes the close 1000 "done", ignores the text after it, closes 1000', async () => {
    const r = await run('do=data-after-close');
    expect(r.opened).toBe(true);
    expect(r.error).toBeUndefined();
    expect(r.messages).toEqual([]);
    expect(r.close).toEqual({ code: 1000, reason: 'done' });
    const frames = serverFrames(r.tap);
    expect(frames[0]?.slice(0, 8)).toBe('880603e8');
    expect(frames[1]).toBe('810b' + Buffer.from('after close').toString('hex'));
  });

  it('do=fragments&n=4 (valid): ws gets one message and the ping between fragments, no error', async () => {
    const server = await servers.start();
    // Listeners before the handshake: the frames come right behind the 101, in one read.
    const ws = new WebSocket(wsUrl(server, '/misbehave?do=fragments&n=4'));
    servers.later(() => ws.terminate());
    const pings: string[] = [];
    const errors: Error[] = [];
    ws.on('ping', (d: Buffer) => pings.push(d.toString('utf8')));
    ws.on('error', (e) => errors.push(e));
    const inbox = inboxOf(ws);
    expect(await inbox.next()).toEqual({
      data: 'part 1 of 4, part 2 of 4, part 3 of 4, part 4 of 4',
      isBinary: false,
    });
    expect(errors).toEqual([]);
    expect(pings).toEqual(['between fragments']);
  });

  it('no ?do=: one text message listing the options, then close 1000', async () => {
    const r = await run('');
    expect(r.messages).toHaveLength(1);
    expect(r.messages[0]).toContain('?do=masked-frame');
    expect(r.close.code).toBe(1000);
  });

  it('the server outlives every misdeed: /echo still answers afterwards', async () => {
    await run('do=masked-frame');
    const ws = await openWs(wsUrl(servers.current, '/echo'));
    servers.later(() => ws.terminate());
    ws.send('still here');
    expect(await inboxOf(ws).next()).toEqual({ data: 'still here', isBinary: false });
  });
});
