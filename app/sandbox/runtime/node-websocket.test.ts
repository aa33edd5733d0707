import { describe, expect, test } from 'vitest';
import type { WorkerMessage } from '../protocol.ts';
import { createSandboxConsole } from './console.ts';
import { NodeBuffer } from './node-buffer.ts';
import { createNodeWebSockets } from './node-websocket.ts';
import { createStackMapper } from './stack.ts';

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
  let id = 1;
  const kit = createNodeWebSockets({
    post,
    report: (sid, s, r) =>
      post({ kind: 'sock:report', id: sid, report: r, readyState: s.readyState, bufferedAmount: 0 }),
    nextId: () => id++,
    base: () => 'http://localhost:5173/',
    setTimeout: () => 0,
    console,
  });
  return { ...kit, posts };
}

describe("ws's client in the sandbox", () => {
  test('connects through the page (sock:create, a Node client that answers pings by itself)', () => {
    const { NodeWebSocket, posts } = setup();
    const ws = new NodeWebSocket('ws://localhost:8080/', ['chat']);
    expect(ws.url).toBe('ws://localhost:8080/');
    expect(posts[0]).toMatchObject({
      kind: 'sock:create',
      id: 1,
      protocols: ['chat'],
      route: 'loopback',
      node: { autoPong: true },
    });
    expect(() => ws.send('early')).toThrow('WebSocket is not open: readyState 0 (CONNECTING)');
  });

  test("open, a binary message as a Buffer with isBinary, then close with ws's (code, Buffer reason)", () => {
    const { NodeWebSocket, deliver } = setup();
    const ws = new NodeWebSocket('ws://localhost:8080/');
    const seen: unknown[] = [];
    ws.on('open', () => seen.push('open'));
    ws.on('message', (data: unknown, isBinary: unknown) => seen.push([NodeBuffer.isBuffer(data), isBinary]));
    ws.on('close', (code: unknown, reason: unknown) => seen.push([code, String(reason)]));
    expect(deliver({ kind: 'ws:open', id: 1, protocol: '', extensions: '' })).toBe(true);
    deliver({ kind: 'ws:message', id: 1, data: new Uint8Array([1]).buffer });
    deliver({ kind: 'ws:closed', id: 1, code: 1000, reason: 'bye', wasClean: true, failed: false });
    expect(seen).toEqual(['open', [true, true], [1000, 'bye']]);
    expect(ws.readyState).toBe(3);
    expect(deliver({ kind: 'ws:closing', id: 1 })).toBe(false); // gone once closed
  });

  test('close() checks the code as ws does (1005 is not sendable) and sends ws:close', () => {
    const { NodeWebSocket, deliver, posts } = setup();
    const ws = new NodeWebSocket('ws://localhost:8080/');
    deliver({ kind: 'ws:open', id: 1, protocol: '', extensions: '' });
    expect(() => ws.close(1005)).toThrow('First argument must be a valid error code number');
    ws.close(4000, 'done');
    expect(posts.at(-2)).toEqual({ kind: 'ws:close', id: 1, code: 4000, reason: 'done' });
    expect(ws.readyState).toBe(2);
  });

  test('a failed connection with no error listener is printed as uncaught, not thrown', () => {
    const { NodeWebSocket, deliver, posts } = setup();
    new NodeWebSocket('ws://localhost:9/');
    deliver({
      kind: 'ws:closed',
      id: 1,
      code: 1006,
      reason: '',
      wasClean: false,
      failed: true,
      error: 'refused',
    });
    const printed = posts.flatMap((m) => (m.kind === 'console' ? m.entries.map((e) => e.text) : []));
    expect(printed.join('\n')).toContain('Uncaught (unhandled "error" event) Error: refused');
  });
});
