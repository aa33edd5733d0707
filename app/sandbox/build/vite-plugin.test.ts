import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { bundleSandboxWorker } from './vite-plugin.ts';

const entry = fileURLToPath(new URL('../runtime/worker-entry.ts', import.meta.url));

describe('the sandbox worker bundle', () => {
  test('is one classic script (no import or export left), strict, that parses', async () => {
    const { code, files } = await bundleSandboxWorker(entry, true);
    expect(code.startsWith('"use strict";')).toBe(true);
    expect(code).not.toMatch(/^\s*(import|export)\s/m);
    expect(() => new Function(code)).not.toThrow();
    // Every module of the runtime is in it, the shared WebSocket rules included.
    const names = files.map((f) => f.split('/').slice(-2).join('/'));
    expect(names).toEqual(
      expect.arrayContaining(['runtime/worker.ts', 'runtime/seal.ts', 'loopback/whatwg-websocket.ts']),
    );
  }, 30_000);
});
