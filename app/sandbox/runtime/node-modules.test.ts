import { describe, expect, test } from 'vitest';
import { EventEmitter } from './event-emitter.ts';
import { NodeBuffer } from './node-buffer.ts';
import { createRequire } from './node-modules.ts';

class FakeSocket {}
class FakeServer {}
class FakeHttp extends EventEmitter {}

describe("the sandbox's require()", () => {
  const require = createRequire({ WebSocket: FakeSocket, WebSocketServer: FakeServer, HttpServer: FakeHttp });

  test("'ws' is the WebSocket class, with WebSocketServer (and Server) on it", () => {
    const ws = require('ws') as typeof FakeSocket & {
      WebSocket: unknown;
      WebSocketServer: unknown;
      Server: unknown;
    };
    expect(ws).toBe(FakeSocket);
    expect([ws.WebSocket, ws.WebSocketServer, ws.Server]).toEqual([FakeSocket, FakeServer, FakeServer]);
  });

  test("'node:' prefixes work; events, buffer and http.createServer are there", () => {
    expect((require('node:events') as { EventEmitter: unknown }).EventEmitter).toBe(EventEmitter);
    expect((require('buffer') as { Buffer: unknown }).Buffer).toBe(NodeBuffer);
    const http = require('http') as { createServer(h: () => void): EventEmitter };
    const server = http.createServer(() => undefined);
    expect(server).toBeInstanceOf(FakeHttp);
    expect(server.listenerCount('request')).toBe(1);
  });

  test('any other module is a clear error, inherited names included', () => {
    expect(() => require('fs')).toThrow("Cannot find module 'fs': the playground provides 'ws'");
    expect(() => require('toString')).toThrow('Cannot find module');
  });
});
