import { describe, expect, it, vi } from 'vitest';
import { CodeStore, type StorageLike } from '../../sandbox/storage.ts';
import type { CodeRun } from './run.svelte.ts';
import { CodeWorkspace } from './workspace.svelte.ts';

type SandboxKit = typeof import('./sandbox-kit.ts');

function memoryStorage(): StorageLike {
  const items = new Map<string, string>();
  return {
    getItem: (k) => items.get(k) ?? null,
    setItem: (k, v) => void items.set(k, v),
    removeItem: (k) => void items.delete(k),
  };
}

/** A kit whose runs record what they were asked to run, instead of starting a sandbox. */
function fakeKit(started: string[]): SandboxKit {
  return {
    createRun: (options) =>
      ({
        docId: options.docId,
        live: false,
        start: async (request: { code: string }) => void started.push(request.code),
      }) as unknown as CodeRun,
  };
}

describe('CodeWorkspace: the sandbox is loaded by the first run, not before', () => {
  it('loads it once, at the first run, and runs the code with it', async () => {
    const started: string[] = [];
    const loadSandbox = vi.fn(async () => fakeKit(started));
    const storage = memoryStorage();
    const workspace = new CodeWorkspace({
      mode: () => 'static',
      loadSandbox,
      store: new CodeStore(() => storage),
    });
    expect(loadSandbox).not.toHaveBeenCalled();
    await workspace.run();
    await workspace.run();
    expect(loadSandbox).toHaveBeenCalledTimes(1);
    expect(started).toHaveLength(2);
    expect(workspace.runs).toHaveLength(2);
  });

  it('says why when the sandbox cannot load, runs nothing, and tries again on the next run', async () => {
    const started: string[] = [];
    let failures = 1;
    const loadSandbox = vi.fn(async () => {
      if (failures-- > 0) throw new Error('Failed to fetch dynamically imported module');
      return fakeKit(started);
    });
    const storage = memoryStorage();
    const workspace = new CodeWorkspace({
      mode: () => 'static',
      loadSandbox,
      store: new CodeStore(() => storage),
    });
    expect(await workspace.run()).toBeUndefined();
    expect(workspace.runMessage).toContain(
      'could not be loaded (Failed to fetch dynamically imported module)',
    );
    expect(workspace.runs).toHaveLength(0);
    await workspace.run();
    expect(workspace.runMessage).toBe('');
    expect(started).toHaveLength(1);
    expect(loadSandbox).toHaveBeenCalledTimes(2);
  });
});
