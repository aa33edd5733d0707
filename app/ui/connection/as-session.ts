/**
 * Panels take a live Session or a plain event list (a lesson's recording, WireEvent[] from a
 * loopback socket): a list becomes a read-only Session, made once per list.
 */
import type { SessionEvent } from './events.ts';
import { Session } from './session.svelte.ts';

export type SessionInput = Session | readonly SessionEvent[];

const made = new WeakMap<readonly SessionEvent[], Session>();

export function asSession(input: SessionInput): Session {
  if (input instanceof Session) return input;
  let s = made.get(input);
  if (!s) made.set(input, (s = Session.fromEvents(input)));
  return s;
}
