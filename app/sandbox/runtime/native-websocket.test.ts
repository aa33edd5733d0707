import { describe, expect, test } from 'vitest';
import type { WorkerMessage } from '../protocol.ts';
import { createNativeSockets, portable } from './native-websocket.ts';

class FakeNative extends EventTarget {
  static made: string[] = [];
  readyState = 0;
  bufferedAmount = 0;
  protocol = '';
  extensions = '';
  url: string;
  constructor(url: string) {
    super();
    this.url = url;
    FakeNative.made.push(url);
  }
  send(): void {}
  close(): void {}
}

describe("server mode: the browser's own socket", () => {
  test("to the page's server it carries a tap token, which stays out of ws.url", () => {
    const posts: WorkerMessage[] = [];
    let id = 4;
    const natives = createNativeSockets({
      post: (m) => void posts.push(m),
      report: () => undefined,
      nextId: () => id++,
      base: () => 'http://localhost:5173/',
      setTimeout: () => 0,
      NativeWebSocket: FakeNative as unknown as typeof WebSocket,
    });
    const ws = natives.open(new URL('ws://localhost:5173/echo'), []);
    expect(FakeNative.made.at(-1)).toMatch(/^ws:\/\/localhost:5173\/echo\?tap=[\w-]{24}$/);
    expect(ws.url).toBe('ws://localhost:5173/echo');
    expect(posts[0]).toMatchObject({ kind: 'sock:create', id: 4, route: 'native', tap: expect.any(String) });
    natives.open(new URL('ws://elsewhere.example/'), []);
    expect(FakeNative.made.at(-1)).toBe('ws://elsewhere.example/');
    expect(natives.get(4)).toBe(ws);
  });

  test('data crosses the port as a string, a Blob, or a copy of the bytes', () => {
    const bytes = new Uint8Array([1, 2, 3]);
    const copy = portable(bytes.subarray(1)) as ArrayBuffer;
    bytes[1] = 9;
    expect([...new Uint8Array(copy)]).toEqual([2, 3]);
    expect(portable('x')).toBe('x');
  });
});
