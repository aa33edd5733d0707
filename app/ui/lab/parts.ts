/**
 * The lab's parts that the first screen does not need, each loaded on demand: sessions and their
 * timeline as the page starts (Connect waits for them), import and export
 * of sessions (JSON and HAR) with the first Export or Import, and the in-page network's controls
 * with the in-page network itself (they are shown only once it has loaded), and the relay's parts
 * when a foreign URL is typed or a relayed tab is shown.
 */
import { LazyPart } from '../lib/lazy-part.svelte.ts';

export const sessionFiles = new LazyPart('Import and export', () => import('../connection/export.ts'));
export const networkControls = new LazyPart('The network controls', () => import('./NetworkControls.svelte'));
/** The relay's offer (a foreign URL typed in server mode) and the leg switch of a relayed tab. */
export const relayOffer = new LazyPart('The relay offer', () => import('./RelayOffer.svelte'));
export const legSwitch = new LazyPart('The leg switch', () => import('./LegSwitch.svelte'));
/** Sessions and the timeline (session-kit.ts): started by the Lab as the page starts. */
export const connections = new LazyPart('The connection engine', () => import('./session-kit.ts'));
