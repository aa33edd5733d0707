/**
 * The lab's parts that the first screen does not need, each loaded on demand: import and export
 * of sessions (JSON and HAR) with the first Export or Import, and the in-page network's controls
 * with the in-page network itself (they are shown only once it has loaded).
 */
import { LazyPart } from '../lib/lazy-part.svelte.ts';

export const sessionFiles = new LazyPart('Import and export', () => import('./export.ts'));
export const networkControls = new LazyPart('The network controls', () => import('./NetworkControls.svelte'));
