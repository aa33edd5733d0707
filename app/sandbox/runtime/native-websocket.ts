/**
 * Server mode: a learner's socket to the page's own server (or any host the page does not serve
 * itself) is the browser's own WebSocket. To our server it carries a tap token, so the server
 * mirrors its exact bytes to the page; the page mirrors its API events (for the lab) from what
 * is reported here.
 */
import type { SocketReport, WireData, WorkerMessage } from '../protocol.ts';
import { isBinary, toBytes } from './node-buffer.ts';

export interface NativeContext {
  post(m: WorkerMessage): void;
  report(id: number, socket: { readyState: number; bufferedAmount: number }, r: SocketReport): void;
  nextId(): number;
  /** The page's base URL: its host is our server's. */
  base(): string;
  setTimeout(fn: () => void, ms: number): unknown;
  /** The browser's WebSocket, captured before learner code ran. */
  NativeWebSocket: typeof WebSocket;
}

/** Data as it can cross the port: a copy for binary, a Blob as is. */
export function portable(data: unknown): WireData {
  if (typeof data === 'string') return data;
  if (data instanceof Blob) return data;
  if (isBinary(data)) return toBytes(data).slice().buffer as ArrayBuffer;
  return String(data);
}

export function createNativeSockets(ctx: NativeContext) {
  const natives = new Map<number, WebSocket>();

  /** A 24-character tap token (the server accepts 16-128 of A-Z a-z 0-9 _ -). */
  const tapToken = (): string => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    return Array.from(crypto.getRandomValues(new Uint8Array(24)), (b) => alphabet[b & 63]).join('');
  };

  /** The browser's own socket; the page mirrors it (for the lab) from what it reports. */
  function openNative(url: URL, protocols: string[]): WebSocket {
    const id = ctx.nextId();
    const pageHost = new URL(ctx.base()).host;
    const ours = url.host === pageHost;
    const token = ours ? tapToken() : undefined;
    const target = new URL(url.href);
    if (token) target.searchParams.set('tap', token);
    const ws = new ctx.NativeWebSocket(target.href, protocols);
    // What the learner typed is what they see: the tap token stays out of ws.url.
    Object.defineProperty(ws, 'url', { value: url.href, enumerable: true });
    natives.set(id, ws);
    ctx.post({
      kind: 'sock:create',
      id,
      url: url.href,
      protocols,
      route: 'native',
      ...(token ? { tap: token } : {}),
    });
    ws.addEventListener('open', () =>
      ctx.report(id, ws, { kind: 'open', protocol: ws.protocol, extensions: ws.extensions }),
    );
    ws.addEventListener('message', (e) => ctx.report(id, ws, { kind: 'message', data: portable(e.data) }));
    ws.addEventListener('error', () => ctx.report(id, ws, { kind: 'error' }));
    ws.addEventListener('close', (e) => {
      natives.delete(id);
      ctx.report(id, ws, { kind: 'close', code: e.code, reason: e.reason, wasClean: e.wasClean });
    });
    const send = ws.send;
    Object.defineProperty(ws, 'send', {
      value: function (this: WebSocket, data: Parameters<WebSocket['send']>[0]) {
        send.call(this, data);
        ctx.report(id, ws, { kind: 'send', data: portable(data) });
        watchBuffered(id, ws);
      },
    });
    const close = ws.close;
    Object.defineProperty(ws, 'close', {
      value: function (this: WebSocket, code?: number, reason?: string) {
        const before = ws.readyState;
        close.apply(this, [code, reason].slice(0, arguments.length) as [number?, string?]);
        if (before < 2)
          ctx.report(id, ws, {
            kind: 'close-call',
            ...(code !== undefined ? { code } : {}),
            ...(reason ? { reason } : {}),
          });
      },
    });
    return ws;
  }
  /** The native socket has no event for bufferedAmount draining: poll while there is any. */
  const watching = new Set<number>();
  function watchBuffered(id: number, ws: WebSocket): void {
    if (watching.has(id)) return;
    watching.add(id);
    const tick = (): void => {
      ctx.post({
        kind: 'sock:report',
        id,
        report: { kind: 'buffered' },
        readyState: ws.readyState,
        bufferedAmount: ws.bufferedAmount,
      });
      if (ws.bufferedAmount > 0 && ws.readyState === 1) ctx.setTimeout(tick, 50);
      else watching.delete(id);
    };
    ctx.setTimeout(tick, 50);
  }

  return { open: openNative, get: (id: number): WebSocket | undefined => natives.get(id) };
}
