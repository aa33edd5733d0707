/**
 * The sandbox's code as text: the iframe document and the worker script are built from
 * self-contained functions (runtime/*.ts) so they are type-checked with the app and bundled
 * with it, yet can be started inside an opaque origin that cannot load the app's files.
 */
import { formatArgs } from './runtime/format.ts';
import { iframeMain } from './runtime/iframe.ts';
import { installMemoryMeter } from './runtime/memory.ts';
import { sealGlobals } from './runtime/seal.ts';
import { workerMain } from './runtime/worker.ts';

/** The worker script: workerMain with its helpers passed in as arguments. */
export function workerSource(): string {
  const guards = `{ memory: (${installMemoryMeter.toString()}), seal: (${sealGlobals.toString()}) }`;
  return `"use strict";\n(${workerMain.toString()})(${formatArgs.toString()}, ${guards});\n`;
}

/**
 * The iframe document. Its CSP allows only its own inline script, blob: workers and
 * WebSocket connections: no images, frames or form posts to leak through.
 */
export function iframeSrcdoc(): string {
  const csp = [
    "default-src 'none'",
    "script-src 'unsafe-inline' 'unsafe-eval' blob:",
    'worker-src blob:',
    'connect-src ws: wss:',
  ].join('; ');
  return `<!doctype html><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${csp}"><script>(${iframeMain.toString()})()</script>`;
}
