/** Names for connections: a tab's label, the URL of a recording. */
import type { SessionEvent } from './events.ts';
import { withoutTap } from '../transport/tap-client.ts';

export function requestTarget(events: readonly SessionEvent[]): string | undefined {
  const req = events.find((e) => e.kind === 'handshake' && e.from === 'client');
  if (!req || req.kind !== 'handshake') return undefined;
  const target = /^GET (\S+)/.exec(req.text)?.[1];
  const host = /\r\nHost: *([^\r\n]+)/i.exec(req.text)?.[1];
  return target && host ? `ws://${host}${withoutTap(`ws://x${target}`).slice('ws://x'.length)}` : target;
}

/** '/echo', '/close?code=4000' or the host for other servers: a tab's label. */
export function shortName(url: string): string {
  try {
    const u = new URL(withoutTap(url));
    const here = typeof location === 'undefined' ? '' : location.host;
    return (u.host === here ? '' : u.host) + u.pathname + u.search;
  } catch {
    return url;
  }
}
