/**
 * The lab's sessions -> a Trace for the checks: every connection opened since the lesson (or
 * its last reset) began, in the order they were opened, whether the lab's Connect, the learner's
 * code or the lesson's probe opened it; and the plain HTTP exchanges of the same time (`http`).
 */
import type { HttpRecord, Trace, TraceConnection } from '../../lessons/types.ts';
import type { Lab } from '../lab/lab.svelte.ts';
import type { LabConnection } from '../connection/lab-connection.svelte.ts';

export function collectTrace(
  lab: Lab,
  options: {
    since: number;
    inputs: Record<string, string>;
    probes?: TraceConnection[];
    console?: string[];
    /** The lab's HTTP exchanges since `since` (http-log.ts). */
    http?: HttpRecord[];
  },
): { trace: Trace; sessions: Map<string, LabConnection> } {
  const sessions = new Map<string, LabConnection>();
  const connections: TraceConnection[] = [];
  for (const { session, origin } of lab.history) {
    const first = session.log.events[0];
    if (!first || first.t < options.since) continue;
    const id = `c${connections.length + 1}`;
    sessions.set(id, session);
    connections.push({
      id,
      url: session.url,
      protocols: [...session.protocols],
      origin,
      events: session.log.events,
    });
  }
  connections.push(...(options.probes ?? []));
  const last = lab.history.at(-1)?.session.transport?.label;
  return {
    trace: {
      mode: (last ?? lab.transport.label) === 'server' ? 'server' : 'loopback',
      connections,
      inputs: { ...options.inputs },
      console: options.console ?? [],
      ...(options.http && options.http.length > 0 ? { http: [...options.http] } : {}),
    },
    sessions,
  };
}
