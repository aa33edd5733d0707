/**
 * The messages between the page (the host, app/sandbox/host.ts) and the sandbox's worker
 * (runtime/worker.ts), over one MessagePort. Everything from the worker is untrusted: the host
 * checks each message's shape (host.ts `isWorkerMessage`) and only ever does on its behalf
 * what learner code may do anyway (open a socket, listen on a virtual port, print).
 */

export type ConsoleLevel = 'log' | 'info' | 'warn' | 'error' | 'debug' | 'system';

export interface ConsoleEntry {
  level: ConsoleLevel;
  /** Epoch milliseconds. */
  at: number;
  text: string;
  /** The editor line the entry points at (uncaught errors). */
  line?: number;
  /** console.group depth. */
  indent?: number;
}

/** Binary data crossing the port (structured clone copies it). */
export type WireData = string | ArrayBuffer | Blob;

/** How a socket the learner opened is carried. */
export type SocketRoute =
  /** The browser's own WebSocket inside the worker, to our Node server (bytes via the tap). */
  | 'native'
  /** Bridged to the page: the virtual network (static mode, or a learner's server). */
  | 'loopback';

/** What the learner's socket showed through its API (the page mirrors it for the lab). */
export type SocketReport =
  | { kind: 'open'; protocol: string; extensions: string }
  | { kind: 'message'; data: WireData }
  | { kind: 'error' }
  | { kind: 'close'; code: number; reason: string; wasClean: boolean }
  | { kind: 'send'; data: WireData }
  | { kind: 'close-call'; code?: number; reason?: string }
  /** Only readyState and bufferedAmount changed (a native socket's buffer draining). */
  | { kind: 'buffered' };

export interface RunRequest {
  /** The code to evaluate (already rewritten: imports to require). */
  code: string;
  /** e.g. 'learner.js': the name stack traces show. */
  filename: string;
  /** generated line (1-based, index) -> editor line; absent: the same line. */
  lineMap?: number[];
}

export interface InitRequest {
  mode: 'server' | 'static';
  /** The page's base URL: relative socket URLs resolve against it. */
  base: string;
  /** host:port pairs the page's virtual network answers on (bridged, not native). */
  virtualHosts: string[];
  /** How often the worker proves it is alive (ms). */
  beatMs: number;
  /** Bytes learner code may hold in big arrays (runtime/memory.ts); absent: not metered. */
  memoryLimit?: number;
}

export type HostMessage =
  | { kind: 'init'; init: InitRequest }
  | { kind: 'run'; run: RunRequest }
  | { kind: 'hosts'; virtualHosts: string[] }
  // bridged browser-API sockets (route 'loopback')
  | { kind: 'ws:open'; id: number; protocol: string; extensions: string }
  | { kind: 'ws:message'; id: number; data: string | ArrayBuffer }
  | { kind: 'ws:closing'; id: number }
  | { kind: 'ws:transmitted'; id: number; bytes: number }
  | {
      kind: 'ws:closed';
      id: number;
      code: number;
      reason: string;
      wasClean: boolean;
      failed: boolean;
      error?: string;
    }
  // ws-style (Node) client sockets also hear pings and pongs
  | { kind: 'ws:ping'; id: number; data: ArrayBuffer }
  | { kind: 'ws:pong'; id: number; data: ArrayBuffer }
  /** The lab acts on a sandbox socket (send, close) as if the code did. */
  | { kind: 'sock:cmd'; id: number; op: 'send'; data: WireData }
  | { kind: 'sock:cmd'; id: number; op: 'close'; code?: number; reason?: string }
  // learner servers
  | { kind: 'srv:listening'; sid: number; port: number }
  /** A client's handshake asks the server's acceptKey function for its Sec-WebSocket-Accept. */
  | { kind: 'srv:accept-key'; sid: number; rid: number; key: string }
  /** A client's handshake asks the server's verifyClient whether to accept it (4.2.2 item 4). */
  | {
      kind: 'srv:verify';
      sid: number;
      rid: number;
      url: string;
      headers: Record<string, string>;
    }
  | { kind: 'srv:error'; sid: number; code: string; message: string }
  | {
      kind: 'srv:conn';
      sid: number;
      cid: number;
      url: string;
      protocol: string;
      protocols: string[];
      remote: string;
      origin: string;
      /** The handshake request's headers (names lower-cased), for the 'connection' event's request. */
      headers?: Record<string, string>;
    }
  | { kind: 'conn:message'; cid: number; data: string | ArrayBuffer; isBinary: boolean }
  | { kind: 'conn:ping'; cid: number; data: ArrayBuffer }
  | { kind: 'conn:pong'; cid: number; data: ArrayBuffer }
  | { kind: 'conn:close'; cid: number; code: number; reason: string };

export type WorkerMessage =
  | { kind: 'ready' }
  | { kind: 'beat' }
  | { kind: 'console'; entries: ConsoleEntry[]; dropped: number }
  | { kind: 'done' }
  /** The memory meter saw learner code pass its limit (runtime/memory.ts). */
  | { kind: 'oom'; bytes: number; limit: number }
  | {
      kind: 'sock:create';
      id: number;
      url: string;
      protocols: string[];
      route: SocketRoute;
      tap?: string;
      node?: { autoPong: boolean };
    }
  | { kind: 'sock:report'; id: number; report: SocketReport; readyState: number; bufferedAmount: number }
  // bridged sockets: what the API call asks the network to do
  | { kind: 'ws:send'; id: number; data: WireData }
  | { kind: 'ws:close'; id: number; code?: number; reason?: string }
  | { kind: 'ws:abort'; id: number }
  | { kind: 'ws:ping'; id: number; data: ArrayBuffer }
  | { kind: 'ws:pong'; id: number; data: ArrayBuffer }
  // learner servers
  /** acceptKey: the server's code answers each handshake's Sec-WebSocket-Accept (srv:accept-key). */
  | {
      kind: 'srv:listen';
      sid: number;
      port: number;
      path?: string;
      acceptKey?: boolean;
      /** The server has a verifyClient: ask it (srv:verify) before each 101. */
      verify?: boolean;
      /** ws's maxPayload: the largest message accepted (bytes); over it, 1009. */
      maxPayload?: number;
    }
  | { kind: 'srv:close'; sid: number }
  /** The answer to srv:accept-key: the value for Sec-WebSocket-Accept, or why there is none. */
  | { kind: 'srv:accept'; rid: number; accept: string }
  | { kind: 'srv:accept'; rid: number; error: string }
  /** The answer to srv:verify: accept, or refuse with this HTTP status and text. */
  | { kind: 'srv:verified'; rid: number; ok: true }
  | { kind: 'srv:verified'; rid: number; ok: false; status: number; message: string }
  /** fin false: a frame of a message that goes on (ws's send(data, { fin: false }), 5.4). */
  | { kind: 'conn:send'; cid: number; data: string | ArrayBuffer; binary: boolean; fin?: boolean }
  | { kind: 'conn:ping'; cid: number; data: ArrayBuffer }
  | { kind: 'conn:pong'; cid: number; data: ArrayBuffer }
  | { kind: 'conn:close'; cid: number; code?: number; reason?: string }
  | { kind: 'conn:terminate'; cid: number };

/** Host names a learner's server answers on, for a port. */
export function serverHosts(port: number): string[] {
  return [`localhost:${port}`, `127.0.0.1:${port}`];
}
