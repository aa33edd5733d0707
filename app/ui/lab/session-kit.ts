/**
 * What a connection needs and the first screen does not show (nothing is connected yet): the
 * LabConnection with its log (the engine's decoder, frames, fragments) and the event timeline that
 * shows one. Loaded as the page starts, after the first screen (`connections` in parts.ts);
 * Connect waits for it.
 */
export { LabConnection } from '../connection/lab-connection.svelte.ts';
export { default as Timeline } from './Timeline.svelte';
