/**
 * Panels take a live LabConnection or a plain event list (a lesson's recording, WireEvent[] from a
 * loopback socket): a list becomes a read-only LabConnection, made once per list.
 */
import type { SessionEvent } from './events.ts';
import { LabConnection } from './lab-connection.svelte.ts';

export type SessionInput = LabConnection | readonly SessionEvent[];

const made = new WeakMap<readonly SessionEvent[], LabConnection>();

export function asSession(input: SessionInput): LabConnection {
  if (input instanceof LabConnection) return input;
  let s = made.get(input);
  if (!s) made.set(input, (s = LabConnection.fromEvents(input)));
  return s;
}
