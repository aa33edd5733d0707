import { isSendableCloseCode } from '../protocol/close-codes.ts';
import type { Service } from './service.ts';
import { truncateUtf8 } from './text.ts';

/** Longest delay /close accepts, so a forgotten tab does not hold a socket open for ever. */
export const MAX_CLOSE_DELAY_MS = 60_000;

/**
 * /close: the server ends the connection on request, from the query:
 * - `code` (default 1000; `code=none` sends a close frame with no body, so the client sees 1005),
 * - `reason` (UTF-8, cut to the 123 bytes a control frame allows: 5.5),
 * - `delay` in ms (default 0, at most 60 s),
 * - `drop=1`: end TCP without a close frame (the client sees 1006).
 * A code that may not be sent (1005, 1006, 1015, 2000, ...) is answered with 1008 and a reason
 * that says why, rather than put on the wire.
 */
export function createCloseService(): Service {
  return {
    path: '/close',
    description: 'closes on request: ?code=4000&reason=bye&delay=500, or ?drop=1 for a 1006',
    open(socket, ctx) {
      const q = socket.query;
      const delay = clampDelay(q.get('delay'));
      const drop = q.get('drop') === '1' || q.get('drop') === 'true';
      const codeParam = q.get('code');
      const reason = truncateUtf8(q.get('reason') ?? '', 123);
      const act = (): void => {
        if (drop) {
          socket.terminate();
          return;
        }
        if (codeParam === 'none') {
          socket.close();
          return;
        }
        const code = codeParam === null || codeParam === '' ? 1000 : Number(codeParam);
        if (!isSendableCloseCode(code)) {
          socket.close(1008, truncateUtf8(`code ${codeParam} may not be sent in a close frame`, 123));
          return;
        }
        socket.close(code, reason);
      };
      if (delay === 0) act();
      else ctx.timers.setTimeout(act, delay);
    },
  };
}

function clampDelay(value: string | null): number {
  const n = Number(value ?? 0);
  if (!Number.isFinite(n) || n <= 0) return 0;
  return Math.min(Math.round(n), MAX_CLOSE_DELAY_MS);
}
