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

describe('CodeWorkspace: a document may switch to TypeScript', () => {
  it('keeps the code, saves the choice, restores it on the next visit, and Reset goes back to JavaScript', async () => {
    const storage = memoryStorage();
    const options = () => ({ mode: () => 'static' as const, store: new CodeStore(() => storage) });
    const first = new CodeWorkspace(options());
    const id = first.activeId;
    const code = first.active.code;
    expect(first.active.language).toBe('javascript');
    expect(await first.setLanguage(id, 'typescript')).toBe(true);
    expect(first.active).toMatchObject({ language: 'typescript', code, edited: true, filename: `${id}.ts` });
    expect(first.languageMessage).toBe('');

    const again = new CodeWorkspace(options());
    expect(again.active).toMatchObject({ language: 'typescript', code });
    again.reset(id);
    expect(again.active).toMatchObject({ language: 'javascript', code, edited: false });
    expect(new CodeWorkspace(options()).active.language).toBe('javascript');
  });

  it('says why it cannot go back to JavaScript before the TypeScript compiler has loaded, and changes nothing', async () => {
    const storage = memoryStorage();
    const workspace = new CodeWorkspace({ mode: () => 'static', store: new CodeStore(() => storage) });
    const id = workspace.activeId;
    await workspace.setLanguage(id, 'typescript');
    expect(await workspace.setLanguage(id, 'javascript')).toBe(false);
    expect(workspace.languageOk).toBe(false);
    expect(workspace.languageMessage).toContain('the TypeScript compiler is still loading');
    expect(workspace.active.language).toBe('typescript');
  });
});
