/**
 * The sandbox worker's script: bundled into one file at build time (app/sandbox/build/
 * vite-plugin.ts) and started by the iframe from a blob, in the iframe's opaque origin, where
 * the app's own files cannot be loaded.
 */
import { formatArgs } from './format.ts';
import { installMemoryMeter } from './memory.ts';
import { sealGlobals } from './seal.ts';
import { workerMain } from './worker.ts';

workerMain(formatArgs, { memory: installMemoryMeter, seal: sealGlobals });
