import { createChatService } from './chat.ts';
import { createCloseService } from './close.ts';
import { createEchoService } from './echo.ts';
import { createHeartbeatService } from './heartbeat.ts';
import { createMisbehaveService } from './misbehave.ts';
import type { Service, ServiceIndex } from './service.ts';
import { createTickerService } from './ticker.ts';

export type * from './service.ts';
export { Session, type SessionOptions, type Wire } from './session.ts';

export { SERVER_HEADER } from './server-header.ts';

/**
 * The endpoints (README.md beside this file, "Endpoints"), in menu order; /misbehave (issue 11)
 * breaks the rules on request.
 */
export const SERVICE_PATHS = ['/echo', '/chat', '/ticker', '/close', '/heartbeat', '/misbehave'] as const;

/**
 * A fresh set of services: each call has its own state (its own chat room), so every server,
 * virtual network or test gets an independent one.
 */
export function createServices(): ServiceIndex {
  const list: Service[] = [
    createEchoService(),
    createChatService(),
    createTickerService(),
    createCloseService(),
    createHeartbeatService(),
    createMisbehaveService(),
  ];
  return new Map(list.map((s) => [s.path, s]));
}
