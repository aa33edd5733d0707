import type { Service } from './service.ts';
import { intParam } from './text.ts';

export const HEARTBEAT_DEFAULT_MS = 5_000;

/**
 * /heartbeat: the server pings every `?interval=ms` (default 5000, 100..60000). 5.5.3: a pong
 * answering a ping carries the ping's data, so each ping carries a sequence number and only a
 * pong with the latest one counts. A client whose pong has not come by the next tick is
 * terminated (TCP dropped, no close frame: it sees 1006), as a server does with dead peers.
 * Browsers answer pings on their own; the page's API never sees them (the tap does).
 */
export function createHeartbeatService(): Service {
  return {
    path: '/heartbeat',
    description: 'pings every ?interval=ms and terminates a client that misses its pong',
    open(socket, ctx) {
      const interval = intParam(socket.query.get('interval'), HEARTBEAT_DEFAULT_MS, 100, 60_000);
      let seq = 0;
      let awaiting: string | null = null;
      const decoder = new TextDecoder();
      socket.on('pong', (data) => {
        if (awaiting !== null && decoder.decode(data) === awaiting) awaiting = null;
      });
      const tick = (): void => {
        if (awaiting !== null) {
          ctx.log(`${socket.id} missed pong ${awaiting}: terminated`);
          socket.terminate();
          return;
        }
        seq += 1;
        awaiting = `heartbeat ${seq}`;
        socket.ping(new TextEncoder().encode(awaiting));
      };
      ctx.timers.setInterval(tick, interval);
      tick();
    },
  };
}
