/**
 * The sandbox's code as text, to be started inside an opaque origin that cannot load the app's
 * files: the worker script (runtime/worker-entry.ts, bundled into one script at build time by
 * build/vite-plugin.ts) and the iframe document (a self-contained function, runtime/iframe.ts).
 */
import workerScript from 'virtual:sandbox-worker';
import { iframeMain } from './runtime/iframe.ts';

/** The worker script. */
export function workerSource(): string {
  return workerScript;
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
