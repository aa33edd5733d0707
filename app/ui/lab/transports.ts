/**
 * Which transport the lab uses. Normally the page's shared mode choice decides
 * (`getModeChoice()` in mode.svelte.ts: the Node server when it serves the page, the in-page
 * loopback otherwise, and the learner's switch in the header). A transport registered before
 * the app mounts wins over the choice (a lesson or a test that needs one fixed transport).
 */
import type { Transport } from './transport.ts';

export { getModeChoice, ModeChoice, type TransportMode } from './mode.svelte.ts';

let registered: Transport | undefined;

/** Makes `transport` the lab's transport, whatever the mode choice says (call before the app mounts). */
export function registerTransport(transport: Transport): void {
  registered = transport;
}

/** The transport registered with `registerTransport()`, if any. */
export function registeredTransport(): Transport | undefined {
  return registered;
}
