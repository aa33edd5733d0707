/**
 * Where the native side of the behaviour suite connects: the dev server's own endpoints when
 * it has them (the Vite plugin), otherwise a standalone Node server started for the worker.
 * Either way it is app/server: the same transport and services.
 */
import WebSocket from 'ws';
import { startStandalone, type Standalone } from '../../app/server/standalone.ts';

/** True when a WebSocket to `url` opens within `ms`. */
export function answers(url: string, ms = 2_000): Promise<boolean> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      ws.removeAllListeners();
      ws.on('error', () => {});
      ws.terminate();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), ms);
    ws.on('open', () => done(true));
    ws.on('error', () => done(false));
    ws.on('unexpected-response', () => done(false));
  });
}

export interface NativeServer {
  /** ws://host:port, without a trailing slash. */
  base: string;
  /** 'dev server' or 'standalone server'. */
  kind: string;
  /**
   * A server that answers unknown paths with 404. In dev the plugin leaves unknown upgrades to
   * Vite (its HMR socket shares the port), so they hang instead; the standalone server (and
   * preview) refuse them. Started on first use.
   */
  refusing(): Promise<string>;
  stop(): Promise<void>;
}

async function standalone(): Promise<Standalone> {
  return startStandalone({ host: '127.0.0.1', port: 0, log: () => {} });
}

export async function nativeServer(pageBaseUrl: string): Promise<NativeServer> {
  const origin = new URL(pageBaseUrl).origin.replace(/^http/, 'ws');
  if (await answers(`${origin}/echo`)) {
    let extra: Promise<Standalone> | undefined;
    return {
      base: origin,
      kind: 'dev server',
      refusing: async () => `ws://127.0.0.1:${(await (extra ??= standalone())).port}`,
      stop: async () => {
        if (extra) await (await extra).stop();
      },
    };
  }
  const server = await standalone();
  const base = `ws://127.0.0.1:${server.port}`;
  return { base, kind: 'standalone server', refusing: async () => base, stop: () => server.stop() };
}
