/**
 * Closes the worker's ways around the sandbox's rules before learner code runs. The page's
 * watchdog watches one worker and every socket goes through the runtime (so the lab sees it);
 * learner code must not start a worker of its own (it would escape the watchdog, and the
 * memory meter: issue 17 held 6.4 GB in one until Stop) nor open a connection the runtime
 * does not know of.
 *
 * - `Worker`, `SharedWorker`: replaced by constructors that throw a clear error. Interface
 *   objects are reachable only as properties of the global (no instance exists to take one
 *   from, and `self.constructor` is DedicatedWorkerGlobalScope), and the stubs are
 *   non-writable and non-configurable, so learner code cannot get the native ones back.
 * - `importScripts`: would run another script in this same worker (no escape, but no use
 *   either: the playground has `require('ws')`); stubbed the same way, with the reason.
 * - `WebSocketStream`, `WebTransport`, `EventSource`, `XMLHttpRequest`: connections the
 *   runtime would not see; stubbed. (`fetch` stays: the iframe's CSP already refuses it.)
 * - The browser's WebSocket: learner code gets the runtime's class; a native socket it is
 *   handed (server mode) would give the native class through `socket.constructor`, so the
 *   native prototype's `constructor` is pinned to the runtime's class.
 *
 * Part of the worker's bundle (worker-entry.ts), applied just before learner code runs.
 */
export function sealGlobals(
  scope: Record<string, unknown>,
  sockets: { runtime: unknown; native: { prototype: object } | undefined },
): string[] {
  const reasons: Record<string, string> = {
    Worker:
      'your code runs in one sandboxed worker, which the page watches (the watchdog) and can stop; a worker of its own would escape both',
    SharedWorker: 'your code runs in one sandboxed worker, which the page watches and can stop',
    importScripts: "the playground loads no scripts: use require('ws') or import from 'ws'",
    WebSocketStream:
      'use WebSocket: every socket your code opens goes through the playground, so the lab and inspector show it',
    WebTransport: 'the playground runs WebSocket code only',
    EventSource: 'the playground runs WebSocket code only',
    XMLHttpRequest: 'the sandbox has no network besides WebSocket',
  };
  const sealed: string[] = [];
  for (const [name, why] of Object.entries(reasons)) {
    if (!(name in scope)) continue;
    const message = `${name} is not available in the playground: ${why}.`;
    // A function expression, not a method: `new Worker()` must reach the throw too.
    const stub = function (): never {
      throw new TypeError(message);
    };
    Object.defineProperty(stub, 'name', { value: name });
    Object.defineProperty(scope, name, {
      value: stub,
      writable: false,
      configurable: false,
      enumerable: false,
    });
    sealed.push(name);
  }
  if (sockets.native) {
    Object.defineProperty(sockets.native.prototype, 'constructor', {
      value: sockets.runtime,
      writable: false,
      configurable: false,
      enumerable: false,
    });
  }
  return sealed;
}
