/**
 * Import and export of sessions (JSON and HAR), loaded on demand: the first screen has nothing
 * to export, so the file formats load with the first Export or Import.
 */
import { LazyPart } from '../lib/lazy-part.svelte.ts';

export const sessionFiles = new LazyPart('Import and export', () => import('./export.ts'));
