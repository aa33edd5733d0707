/**
 * `require(name)` for learner code: the playground's `ws` (client and server), and the little of
 * `http`, `events` and `buffer` that ws code uses. `node:` prefixes are accepted.
 */
import { EventEmitter, type Listener } from './event-emitter.ts';
import { NodeBuffer } from './node-buffer.ts';

export interface WsParts {
  WebSocket: object;
  WebSocketServer: object;
  /** `http.createServer()`'s class. */
  HttpServer: new () => EventEmitter;
}

export function createRequire(parts: WsParts): (name: string) => unknown {
  // ws's module is its WebSocket class, with the rest as properties.
  const ws = Object.assign(parts.WebSocket, {
    WebSocket: parts.WebSocket,
    WebSocketServer: parts.WebSocketServer,
    Server: parts.WebSocketServer,
    createWebSocketStream: () => {
      throw new Error('createWebSocketStream is not available in the playground');
    },
  });
  const modules: Record<string, unknown> = {
    ws,
    events: Object.assign(EventEmitter, { EventEmitter, default: EventEmitter }),
    http: {
      createServer: (handler?: unknown) => {
        const s = new parts.HttpServer();
        if (typeof handler === 'function') s.on('request', handler as Listener);
        return s;
      },
      Server: parts.HttpServer,
    },
    buffer: { Buffer: NodeBuffer },
  };
  return (name: string): unknown => {
    const key = String(name).replace(/^node:/, '');
    if (Object.hasOwn(modules, key)) return modules[key];
    throw new Error(
      `Cannot find module '${name}': the playground provides 'ws' (and a little of 'http', 'events', 'buffer').`,
    );
  };
}
