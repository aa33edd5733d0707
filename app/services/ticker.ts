import type { Service } from './service.ts';
import { intParam } from './text.ts';

export const TICKER_SYMBOLS = ['WSKT', 'RFC', 'FRAME'] as const;

/** A small deterministic PRNG (mulberry32): the same seed gives the same quotes. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Quote {
  type: 'quote';
  symbol: string;
  price: number;
  change: number;
  seq: number;
  t: number;
}

/**
 * /ticker: server push. One small JSON text message per second (`?interval=ms`, 100..60000),
 * unprompted, starting right after the handshake:
 * `{"type":"quote","symbol":"WSKT","price":101.37,"change":0.42,"seq":1,"t":1700000000000}`.
 * Prices are a random walk from a seeded PRNG, so tests and screenshots are stable.
 * Messages the client sends are ignored.
 */
export function createTickerService(seed = 6455): Service {
  let connections = 0;
  return {
    path: '/ticker',
    description: 'pushes one small JSON quote per second (?interval=ms)',
    open(socket, ctx) {
      const interval = intParam(socket.query.get('interval'), 1_000, 100, 60_000);
      const random = mulberry32(seed + connections++);
      const prices = TICKER_SYMBOLS.map((_, i) => 100 + 25 * i);
      let seq = 0;
      const tick = (): void => {
        const i = seq % TICKER_SYMBOLS.length;
        const before = prices[i] ?? 100;
        const after = Math.max(1, Math.round((before + (random() - 0.5) * 2) * 100) / 100);
        prices[i] = after;
        seq += 1;
        const quote: Quote = {
          type: 'quote',
          symbol: TICKER_SYMBOLS[i] ?? 'WSKT',
          price: after,
          change: Math.round((after - before) * 100) / 100,
          seq,
          t: ctx.now(),
        };
        socket.sendText(JSON.stringify(quote));
      };
      ctx.timers.setInterval(tick, interval);
      tick();
    },
  };
}
