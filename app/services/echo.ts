import { parseReadRate } from './read-rate.ts';
import type { Service } from './service.ts';

/** The subprotocols /echo accepts, in its order of preference. */
export const ECHO_PROTOCOLS = ['chat', 'superchat', 'json'] as const;

/**
 * /echo: every message comes back with its opcode (text as text, binary as binary).
 * Ping -> pong and close -> the same close are the engine's own answers (5.5.2, 5.5.1),
 * so nothing here handles them. `?read=N` makes it a slow reader: the host reads the client's
 * bytes at N bytes/s (1 KiB/s to 64 MiB/s), so the client's send buffer fills (backpressure).
 */
export function createEchoService(): Service {
  return {
    path: '/echo',
    description:
      'echoes every message with its opcode; subprotocols chat, superchat, json; ?read=bytes/s reads slowly',
    protocols: ECHO_PROTOCOLS,
    readRate: (query) => parseReadRate(query.get('read')),
    open(socket) {
      socket.on('message', (data) => socket.send(data));
    },
  };
}
