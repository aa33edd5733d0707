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

describe('CodeWorkspace: two tabs editing one snippet', () => {
  /** Two tabs of one browser: two workspaces on one storage, each told of the other's saves. */
  function twoTabs(): {
    a: CodeWorkspace;
    b: CodeWorkspace;
    id: string;
    stored: (id: string) => string | undefined;
  } {
    const storage = memoryStorage();
    const store = new CodeStore(() => storage);
    const options = () => ({ mode: () => 'static' as const, store: new CodeStore(() => storage) });
    const a = new CodeWorkspace(options());
    const b = new CodeWorkspace(options());
    return { a, b, id: a.activeId, stored: (id) => store.load(id)?.code };
  }
  const key = (id: string): string => `wsp.code.v1.${id}`;

  it('a tab with no edits of its own takes the other tab’s save, and says so', () => {
    const { a, b, id } = twoTabs();
    a.edit(id, 'from tab A');
    a.save(id);
    b.storageChanged(key(id));
    expect(b.doc(id)!.code).toBe('from tab A');
    expect(b.doc(id)!.conflict).toBeUndefined();
    expect(b.syncMessage).toContain('changed in another tab');
    // ...and its next edit builds on it, saved without a conflict.
    b.edit(id, 'from tab A, then B');
    b.save(id);
    expect(b.doc(id)!.conflict).toBeUndefined();
    a.storageChanged(key(id));
    expect(a.doc(id)!.code).toBe('from tab A, then B');
  });

  it('a tab with edits of its own keeps them and asks, instead of either tab’s edit being dropped', () => {
    const { a, b, id, stored } = twoTabs();
    a.edit(id, 'A’s version');
    b.edit(id, 'B’s version');
    a.save(id);
    b.storageChanged(key(id));
    const conflict = b.doc(id)!.conflict;
    expect(conflict).toMatchObject({ code: 'A’s version', reset: false });
    expect(b.doc(id)!.code).toBe('B’s version');
    // B's pending save writes nothing while the learner has not chosen: A's save stays.
    b.save(id);
    b.flush();
    expect(stored(id)).toBe('A’s version');
    expect(b.hasConflicts).toBe(true);
    a.storageChanged(key(id));
    expect(a.doc(id)!.code).toBe('A’s version');
  });

  it('a save racing another tab’s (its event not yet arrived) does not overwrite it: it asks', () => {
    const { a, b, id, stored } = twoTabs();
    a.edit(id, 'A first');
    b.edit(id, 'B second');
    a.save(id);
    b.save(id); // before B has heard of A's save
    expect(b.doc(id)!.conflict).toMatchObject({ code: 'A first' });
    expect(stored(id)).toBe('A first');
    a.storageChanged(key(id));
    expect(a.doc(id)!.code).toBe('A first');
  });

  it('two saves at the same instant, each tab blind to the other’s: the tab whose save was written over asks, the other keeps its own', () => {
    // As in a browser: each tab reads its own copy of localStorage, which the other tab's
    // writes reach only with their `storage` event.
    const shared = memoryStorage();
    const views = [memoryStorage(), memoryStorage()] as const;
    const tab = (i: 0 | 1): CodeWorkspace =>
      new CodeWorkspace({ mode: () => 'static' as const, store: new CodeStore(() => views[i]) });
    const [a, b] = [tab(0), tab(1)];
    const id = a.activeId;
    const k = key(id);
    /** The browser takes a tab's write into the shared storage and passes it to the other tab. */
    const deliver = (from: 0 | 1): void => {
      shared.setItem(k, views[from].getItem(k)!);
      views[from === 0 ? 1 : 0].setItem(k, shared.getItem(k)!);
    };
    a.edit(id, "const from = 'A';");
    b.edit(id, "const from = 'B';");
    a.save(id);
    b.save(id); // A's write has not reached B's view: B saves too
    // The browser applies A's write, then B's, which wins; A's view then holds B's save, while
    // B's view, with its own write pending, never held A's.
    shared.setItem(k, views[0].getItem(k)!);
    shared.setItem(k, views[1].getItem(k)!);
    views[0].setItem(k, shared.getItem(k)!);
    a.storageChanged(k);
    b.storageChanged(k);
    // A's save was written over unseen: A asks, showing its own edit still.
    expect(a.doc(id)!.conflict).toMatchObject({ code: "const from = 'B';" });
    expect(a.doc(id)!.code).toBe("const from = 'A';");
    // B's save is what is stored: nothing to ask.
    expect(b.doc(id)!.conflict).toBeUndefined();
    expect(b.doc(id)!.code).toBe("const from = 'B';");
    // A keeps its version: saved over B's, and B (no edits since) takes it.
    a.resolveConflict(id, 'mine');
    deliver(0);
    b.storageChanged(k);
    expect(b.doc(id)!.code).toBe("const from = 'A';");
    expect(b.doc(id)!.conflict).toBeUndefined();
  });

  it('the learner chooses: keep this tab’s version (saved over the other’s) or use the other tab’s', () => {
    const mine = twoTabs();
    mine.a.edit(mine.id, 'A');
    mine.b.edit(mine.id, 'B');
    mine.a.save(mine.id);
    mine.b.storageChanged(key(mine.id));
    mine.b.resolveConflict(mine.id, 'mine');
    expect(mine.b.doc(mine.id)!.conflict).toBeUndefined();
    expect(mine.stored(mine.id)).toBe('B');
    mine.a.storageChanged(key(mine.id));
    expect(mine.a.doc(mine.id)!.code).toBe('B');

    const theirs = twoTabs();
    theirs.a.edit(theirs.id, 'A');
    theirs.b.edit(theirs.id, 'B');
    theirs.a.save(theirs.id);
    theirs.b.storageChanged(key(theirs.id));
    theirs.b.resolveConflict(theirs.id, 'theirs');
    expect(theirs.b.doc(theirs.id)!.code).toBe('A');
    expect(theirs.b.hasConflicts).toBe(false);
    theirs.b.flush();
    theirs.a.storageChanged(key(theirs.id));
    expect(theirs.a.doc(theirs.id)!.code).toBe('A');
  });

  it('a reset in the other tab is a change like any other: taken when there are no edits here, asked when there are', () => {
    const { a, b, id } = twoTabs();
    a.edit(id, 'edited');
    a.save(id);
    b.storageChanged(key(id));
    a.reset(id);
    b.storageChanged(key(id));
    expect(b.doc(id)!.edited).toBe(false);
    expect(b.syncMessage).toContain('reset in another tab');

    b.edit(id, 'B edits');
    b.save(id);
    a.storageChanged(key(id));
    a.edit(id, 'A edits on top');
    b.reset(id);
    a.storageChanged(key(id));
    expect(a.doc(id)!.conflict).toMatchObject({ reset: true, code: a.doc(id)!.original });
    expect(a.doc(id)!.code).toBe('A edits on top');
  });
});
