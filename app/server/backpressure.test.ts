/**
 * Backpressure: a client that stops reading never makes the server's memory grow without
 * bound, never loses another client's data, and (for echo) loses none of its own either.
 */
import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import {
  RawClient,
  closed,
  frameBytes,
  inboxOf,
  openWs,
  parseFrames,
  sleep,
  testServers,
  wsUrl,
} from './test-helpers.ts';

const servers = testServers();

describe('backpressure', () => {
  it('pauses reading from an echo client that does not read, bounded, and loses nothing', async () => {
    const server = await servers.start();
    const { client } = await RawClient.open(server.port, '/echo');
    servers.later(() => client.destroy());
    client.socket.pause(); // stop reading: the server's echoes pile up in TCP buffers

    const bystander = await openWs(wsUrl(server, '/echo'));
    servers.later(() => bystander.terminate());

    const message = new Uint8Array(64 * 1024).fill(0x61);
    const count = 512; // 32 MiB in total, far more than socket buffers hold
    const frame = frameBytes({ opcode: 2, payload: message });
    let written = 0;
    let maxBuffered = 0;
    let sawPaused = false;
    const writer = (async () => {
      for (let i = 0; i < count; i++) {
        if (!client.socket.write(frame)) await new Promise((r) => client.socket.once('drain', r));
        written++;
      }
    })();
    // Meanwhile: the server's unsent bytes for this client stay bounded, and others are served.
    for (let i = 0; i < 20; i++) {
      await sleep(25);
      const me = server.playground
        .snapshot()
        .find((c) => c.path === '/echo' && c.remote.endsWith(`:${client.socket.localPort}`));
      if (me) {
        maxBuffered = Math.max(maxBuffered, me.bufferedAmount);
        sawPaused ||= me.paused;
      }
      bystander.send(`ping ${i}`);
      expect((await inboxOf(bystander).next()).data).toBe(`ping ${i}`);
    }
    expect(written).toBeLessThan(count); // the client's writes were held back by TCP
    expect(sawPaused).toBe(true);
    expect(maxBuffered).toBeLessThan(4 * 1024 * 1024);

    // Now read: every echo arrives, in order, complete.
    let received = 0;
    let pending = Buffer.alloc(0);
    const done = new Promise<void>((resolve) => {
      client.socket.removeAllListeners('data');
      client.socket.on('data', (d: Buffer) => {
        pending = Buffer.concat([pending, d]);
        const { frames, rest } = parseFrames(pending);
        pending = Buffer.from(rest);
        for (const f of frames) {
          expect(f.payload.length).toBe(message.length);
          received++;
        }
        if (received === count) resolve();
      });
    });
    client.socket.resume();
    await writer;
    await done;
    expect(received).toBe(count);
  }, 30_000);

  it('fails a /chat member that does not read with 1008 once its backlog passes the limit', async () => {
    const server = await servers.start({ maxBufferedBytes: 512 * 1024, closeTimeout: 5_000 });
    const { client: lazy } = await RawClient.open(server.port, '/chat');
    servers.later(() => lazy.destroy());
    lazy.socket.pause();
    const lazyPort = `:${lazy.socket.localPort}`;
    const lazyState = (): string | undefined =>
      server.playground.snapshot().find((c) => c.remote.endsWith(lazyPort))?.readyState;
    const talker: WebSocket = await openWs(wsUrl(server, '/chat'));
    servers.later(() => talker.terminate());
    const inbox = inboxOf(talker);
    const big = Buffer.alloc(32 * 1024, 0x62);
    // Up to 16 MiB of broadcasts: the lazy member cannot hold them all.
    let sent = 0;
    while (lazyState() === 'OPEN' && sent < 512) {
      talker.send(big);
      sent++;
      expect(((await inbox.nextData()).data as Buffer).length).toBe(big.length);
    }
    expect(lazyState()).toBe('CLOSED');
    // The server stopped queueing for it at the limit (plus one message and socket buffers).
    const buffered =
      server.playground.snapshot().find((c) => c.remote.endsWith(lazyPort))?.bufferedAmount ?? 0;
    expect(buffered).toBeLessThan(512 * 1024 + 2 * big.length);
    // The talker is not disturbed.
    talker.send('after');
    expect((await inbox.nextData()).data).toBe('after');
    // When the lazy member finally reads, its stream ends with close 1008, then TCP ends.
    lazy.socket.resume();
    await lazy.ended;
    const frames = parseFrames(lazy.buffer).frames;
    const last = frames[frames.length - 1];
    expect(last?.opcode).toBe(8);
    expect(last?.payload.readUInt16BE(0)).toBe(1008);
    for (let i = 0; i < 100 && server.playground.connections > 1; i++) await sleep(20);
    expect(server.playground.connections).toBe(1);
  }, 30_000);

  it('drops a member that never reads at the close deadline', async () => {
    const server = await servers.start({ maxBufferedBytes: 256 * 1024, closeTimeout: 300 });
    const { client: lazy } = await RawClient.open(server.port, '/chat');
    servers.later(() => lazy.destroy());
    lazy.socket.pause();
    const talker: WebSocket = await openWs(wsUrl(server, '/chat'));
    servers.later(() => talker.terminate());
    const inbox = inboxOf(talker);
    const big = Buffer.alloc(32 * 1024, 0x62);
    for (let i = 0; i < 256; i++) {
      talker.send(big);
      await inbox.nextData();
    }
    for (let i = 0; i < 100 && server.playground.connections > 1; i++) await sleep(20);
    expect(server.playground.connections).toBe(1);
    // Its TCP connection is gone: once it reads again it finds the end at once.
    lazy.socket.resume();
    expect(await Promise.race([lazy.ended.then(() => true), sleep(2_000).then(() => false)])).toBe(true);
  }, 30_000);

  it('lets a fast reader flood /echo without being cut off (no limit by default)', async () => {
    const server = await servers.start();
    const ws = await openWs(wsUrl(server, '/echo'));
    servers.later(() => ws.terminate());
    const inbox = inboxOf(ws);
    const msg = Buffer.alloc(16 * 1024, 3);
    for (let i = 0; i < 1000; i++) ws.send(msg);
    for (let i = 0; i < 1000; i++)
      expect(((await inbox.next(10_000)).data as Buffer).length).toBe(msg.length);
    expect(ws.readyState).toBe(ws.OPEN);
    ws.close(1000);
    expect((await closed(ws)).code).toBe(1000);
  }, 30_000);
});
