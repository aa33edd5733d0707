/**
 * Types for the editor (an extra lib for Monaco's TypeScript service) and for the snippet
 * type-check test: the `ws` package's API as the sandbox provides it, plus the few Node
 * globals it gives (Buffer, process, require). lib.dom already types the browser WebSocket.
 */
export const WS_TYPES_PATH = 'file:///node_modules/@types/playground-ws/index.d.ts';

export const WS_TYPES = String.raw`
interface Buffer extends Uint8Array {
  toString(encoding?: 'utf8' | 'hex' | 'base64' | 'latin1' | 'ascii', start?: number, end?: number): string;
  toJSON(): { type: 'Buffer'; data: number[] };
  equals(other: Uint8Array): boolean;
}
declare var Buffer: {
  prototype: Buffer;
  new (size: number): Buffer;
  from(value: string, encoding?: 'utf8' | 'hex' | 'base64'): Buffer;
  from(value: ArrayBuffer | ArrayBufferView | readonly number[], byteOffset?: number, length?: number): Buffer;
  alloc(size: number, fill?: number): Buffer;
  isBuffer(value: unknown): value is Buffer;
  byteLength(value: string | ArrayBuffer | ArrayBufferView): number;
  concat(list: readonly Uint8Array[], totalLength?: number): Buffer;
};

declare var process: {
  /** PAGE_ORIGIN: the origin of this page, which its sockets send as their Origin header. */
  env: Record<string, string | undefined> & { PAGE_ORIGIN?: string };
  argv: string[];
  platform: string;
  nextTick(fn: (...args: any[]) => void, ...args: any[]): void;
};

declare function require(id: 'ws'): typeof import('ws');
declare function require(id: 'http' | 'node:http'): typeof import('http');
declare function require(id: 'events' | 'node:events'): typeof import('events');
declare var module: { exports: any };
declare var exports: any;

declare module 'events' {
  class EventEmitter {
    on(event: string | symbol, listener: (...args: any[]) => void): this;
    addListener(event: string | symbol, listener: (...args: any[]) => void): this;
    once(event: string | symbol, listener: (...args: any[]) => void): this;
    off(event: string | symbol, listener: (...args: any[]) => void): this;
    removeListener(event: string | symbol, listener: (...args: any[]) => void): this;
    removeAllListeners(event?: string | symbol): this;
    emit(event: string | symbol, ...args: any[]): boolean;
    listenerCount(event: string | symbol): number;
    listeners(event: string | symbol): Function[];
  }
  export { EventEmitter };
  export default EventEmitter;
}

declare module 'http' {
  import { EventEmitter } from 'events';
  /** Only enough to host a WebSocketServer({ server }): HTTP requests are not served. */
  class Server extends EventEmitter {
    listen(port: number, callback?: () => void): this;
    listen(port: number, host: string, callback?: () => void): this;
    address(): { address: string; family: string; port: number } | null;
    close(callback?: () => void): this;
  }
  function createServer(handler?: (req: any, res: any) => void): Server;
  export { Server, createServer };
}

declare module 'ws' {
  import { EventEmitter } from 'events';
  import type { Server as HttpServer } from 'http';

  class WebSocket extends EventEmitter {
    static readonly CONNECTING: 0;
    static readonly OPEN: 1;
    static readonly CLOSING: 2;
    static readonly CLOSED: 3;
    readonly CONNECTING: 0;
    readonly OPEN: 1;
    readonly CLOSING: 2;
    readonly CLOSED: 3;

    /** A client to a server on the playground's virtual network. */
    constructor(address: string | URL, protocols?: string | string[], options?: WebSocket.ClientOptions);
    constructor(address: string | URL, options?: WebSocket.ClientOptions);

    readonly readyState: 0 | 1 | 2 | 3;
    readonly protocol: string;
    readonly extensions: string;
    readonly bufferedAmount: number;
    readonly url: string | undefined;
    binaryType: 'nodebuffer' | 'arraybuffer' | 'fragments';

    send(data: string | number | Buffer | ArrayBuffer | ArrayBufferView | readonly Uint8Array[], cb?: (err?: Error) => void): void;
    /**
     * binary: send as a BINARY (true) or TEXT (false) message. fin: false (server side): this
     * is one piece of a message and the next send continues it (RFC 6455 5.4): the first piece
     * goes out as a TEXT/BINARY frame with FIN clear, the next ones as CONTINUATION frames, and
     * the send with fin: true (the default) ends the message. The client gets one message.
     */
    send(data: string | number | Buffer | ArrayBuffer | ArrayBufferView | readonly Uint8Array[], options: { binary?: boolean; fin?: boolean }, cb?: (err?: Error) => void): void;
    ping(data?: string | Buffer | ArrayBufferView, mask?: boolean, cb?: (err?: Error) => void): void;
    pong(data?: string | Buffer | ArrayBufferView, mask?: boolean, cb?: (err?: Error) => void): void;
    close(code?: number, reason?: string | Buffer): void;
    /** Drops the connection at once, without a closing handshake: the peer sees 1006. */
    terminate(): void;
    pause(): void;
    resume(): void;

    on(event: 'message', listener: (this: WebSocket, data: WebSocket.RawData, isBinary: boolean) => void): this;
    on(event: 'close', listener: (this: WebSocket, code: number, reason: Buffer) => void): this;
    on(event: 'error', listener: (this: WebSocket, err: Error) => void): this;
    on(event: 'open', listener: (this: WebSocket) => void): this;
    on(event: 'ping' | 'pong', listener: (this: WebSocket, data: Buffer) => void): this;
    on(event: string | symbol, listener: (this: WebSocket, ...args: any[]) => void): this;
    once(event: 'message', listener: (this: WebSocket, data: WebSocket.RawData, isBinary: boolean) => void): this;
    once(event: 'close', listener: (this: WebSocket, code: number, reason: Buffer) => void): this;
    once(event: string | symbol, listener: (this: WebSocket, ...args: any[]) => void): this;

    onopen: ((event: { type: 'open'; target: WebSocket }) => void) | null;
    onmessage: ((event: { type: 'message'; data: WebSocket.RawData | string; target: WebSocket }) => void) | null;
    onclose: ((event: { type: 'close'; code: number; reason: string; wasClean: boolean; target: WebSocket }) => void) | null;
    onerror: ((event: { type: 'error'; error: Error; message: string; target: WebSocket }) => void) | null;
    addEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (event: any) => void, options?: { once?: boolean }): void;
    removeEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (event: any) => void): void;

    /** Not part of ws: heartbeat code (the ws README's) keeps its flag here. */
    isAlive?: boolean;
  }

  namespace WebSocket {
    type RawData = Buffer | ArrayBuffer | Buffer[];

    interface IncomingMessage {
      method: string;
      /** The request path and query, e.g. '/chat?room=1'. */
      url: string;
      headers: Record<string, string | undefined>;
      socket: { remoteAddress: string; remotePort: number };
    }

    interface ClientOptions {
      /** Answer pings automatically (default true). */
      autoPong?: boolean;
    }

    interface ServerOptions {
      /** Listen on ws://localhost:PORT of the playground's virtual network. */
      port?: number;
      host?: string;
      /** Accept only this path (any path when absent). */
      path?: string;
      /** Share the port of an http.createServer() server. */
      server?: HttpServer;
      clientTracking?: boolean;
      /**
       * The playground's own (not in the ws package): answers each handshake's
       * Sec-WebSocket-Accept (RFC 6455 4.2.2). Called with the client's Sec-WebSocket-Key; the
       * value it returns goes into the 101 response verbatim, so a wrong one is refused by the
       * client (4.1). A throw, or a value that is not a string, answers 500 instead.
       */
      acceptKey?: (key: string) => string | Promise<string>;
      /**
       * Decides on each handshake before the 101 (RFC 6455 4.2.2 item 4, 10.2). Return false
       * (the client gets 401), or call done(false, 403, 'text') to choose the status; true
       * accepts. info.origin is the request's Origin header, info.req its URL and headers.
       */
      verifyClient?:
        | ((info: VerifyClientInfo) => boolean)
        | ((info: VerifyClientInfo, done: (ok: boolean, code?: number, message?: string) => void) => void);
      /** The largest message accepted, in bytes; a bigger one fails the connection with 1009. */
      maxPayload?: number;
    }

    interface VerifyClientInfo {
      origin: string | undefined;
      secure: boolean;
      req: IncomingMessage;
    }

    class Server extends EventEmitter {
      constructor(options: ServerOptions, callback?: () => void);
      readonly options: ServerOptions;
      /** The open connections (unless clientTracking is false). */
      readonly clients: Set<WebSocket>;
      address(): { address: string; family: string; port: number } | null;
      close(cb?: (err?: Error) => void): void;

      on(event: 'connection', listener: (this: Server, socket: WebSocket, request: IncomingMessage) => void): this;
      on(event: 'listening' | 'close', listener: (this: Server) => void): this;
      on(event: 'error', listener: (this: Server, error: Error & { code?: string }) => void): this;
      on(event: string | symbol, listener: (this: Server, ...args: any[]) => void): this;
    }

    const WebSocketServer: typeof Server;
    interface WebSocketServer extends Server {}
    const WebSocket: typeof WebSocketAlias;
    interface WebSocket extends WebSocketAlias {}
  }

  const WebSocketAlias: typeof WebSocket;
  interface WebSocketAlias extends WebSocket {}

  export = WebSocket;
}
`;
