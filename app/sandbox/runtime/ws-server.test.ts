import { describe, expect, test } from 'vitest';
import type { WorkerMessage } from '../protocol.ts';
import { createSandboxConsole } from './console.ts';
import { createNodeWebSockets } from './node-websocket.ts';
import { createStackMapper } from './stack.ts';
import { createWsServers } from './ws-server.ts';

function setup() {
  const posts: WorkerMessage[] = [];
  const post = (m: WorkerMessage): void => void posts.push(m);
  const console = createSandboxConsole({
    post,
    format: (a) => a.map(String).join(' '),
    stack: createStackMapper(() => null, String),
    now: () => 0,
    clock: () => 0,
    setTimeout: () => 0,
    clearTimeout: () => undefined,
  });
  const sockets = createNodeWebSockets({
    post,
    report: () => undefined,
    nextId: () => 1,
    base: () => undefined,
    setTimeout: () => 0,
    console,
  });
  const servers = createWsServers(
    { post, setTimeout: () => 0, console, randomPort: () => 50_000 },
    sockets.NodeWebSocket,
  );
  return { ...servers, posts };
}

describe("ws's server in the sandbox", () => {
  test('needs one of port, server or noServer (TypeError, as ws)', () => {
    const { WebSocketServer } = setup();
    expect(() => new WebSocketServer({})).toThrow(TypeError);
  });

  test('listens through the page, then hands each connection over as a ws socket with its request', () => {
    const { WebSocketServer, deliver, posts } = setup();
    const wss = new WebSocketServer({ port: 8080, path: '/chat' });
    expect(posts[0]).toEqual({ kind: 'srv:listen', sid: wss._sid, port: 8080, path: '/chat' });
    const seen: string[] = [];
    wss.on('listening', () => seen.push('listening'));
    wss.on('connection', (socket: unknown, request: unknown) => {
      const ws = socket as { on(e: string, f: (d: unknown) => void): void; send(d: string): void };
      seen.push(`connection ${(request as { url: string }).url}`);
      ws.on('message', (d) => seen.push(`message ${String(d)}`));
      ws.send('welcome');
    });
    deliver({ kind: 'srv:listening', sid: wss._sid, port: 8080 });
    deliver({
      kind: 'srv:conn',
      sid: wss._sid,
      cid: 7,
      url: 'ws://localhost:8080/chat?x=1',
      protocol: '',
      protocols: [],
      remote: '127.0.0.1',
      origin: '',
    });
    deliver({ kind: 'conn:message', cid: 7, data: 'hi', isBinary: false });
    expect(seen).toEqual(['listening', 'connection /chat?x=1', 'message hi']);
    expect(posts).toContainEqual({ kind: 'conn:send', cid: 7, data: 'welcome', binary: false });
    expect(wss.clients.size).toBe(1);
  });

  test('port 0 takes a free port; verifyClient refusing without a code is 401 Unauthorized', () => {
    const { WebSocketServer, deliver, posts } = setup();
    const wss = new WebSocketServer({ port: 0, verifyClient: () => false });
    expect(wss.address()?.port).toBe(50_000);
    deliver({ kind: 'srv:verify', sid: wss._sid, rid: 3, url: '/', headers: { origin: 'http://x' } });
    expect(posts.at(-1)).toEqual({
      kind: 'srv:verified',
      rid: 3,
      ok: false,
      status: 401,
      message: 'Unauthorized',
    });
  });
});
