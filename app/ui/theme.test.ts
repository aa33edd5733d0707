import { describe, expect, it } from 'vitest';
import { Theme, THEME_STORAGE_KEY } from './theme.svelte.ts';

/** A window with just what Theme touches: matchMedia, localStorage and <html>. */
function fakeWindow(systemDark: boolean, saved?: string, storageThrows = false) {
  const listeners: ((e: { matches: boolean }) => void)[] = [];
  const store = new Map<string, string>(saved ? [[THEME_STORAGE_KEY, saved]] : []);
  const storage = {
    getItem: (k: string) => {
      if (storageThrows) throw new Error('SecurityError');
      return store.get(k) ?? null;
    },
    setItem: (k: string, v: string) => {
      if (storageThrows) throw new Error('QuotaExceededError');
      store.set(k, v);
    },
    removeItem: (k: string) => store.delete(k),
  };
  const root = { dataset: {} as Record<string, string> };
  const win = {
    matchMedia: () => ({
      matches: systemDark,
      addEventListener: (_: string, f: (typeof listeners)[0]) => listeners.push(f),
    }),
    localStorage: storage,
    document: { documentElement: root },
  };
  return {
    win: win as unknown as Window,
    store,
    root,
    flipSystem: (dark: boolean) => listeners.forEach((f) => f({ matches: dark })),
  };
}

describe('Theme', () => {
  it('follows the system when nothing was chosen, including later changes', () => {
    const w = fakeWindow(true);
    const theme = new Theme(w.win);
    expect(theme.choice).toBe('system');
    expect(theme.resolved).toBe('dark');
    w.flipSystem(false);
    expect(theme.resolved).toBe('light');
  });

  it('remembers an explicit choice and forgets it when going back to system', () => {
    const w = fakeWindow(false);
    const theme = new Theme(w.win);
    theme.set('dark');
    expect(w.store.get(THEME_STORAGE_KEY)).toBe('dark');
    expect(new Theme(w.win).choice).toBe('dark');
    theme.set('system');
    expect(w.store.has(THEME_STORAGE_KEY)).toBe(false);
  });

  it('sets data-theme only for an explicit choice', () => {
    const w = fakeWindow(false, 'light');
    const theme = new Theme(w.win);
    theme.apply();
    expect(w.root.dataset.theme).toBe('light');
    theme.set('system');
    theme.apply();
    expect(w.root.dataset.theme).toBeUndefined();
  });

  it('ignores a corrupt saved value and survives storage that throws', () => {
    expect(new Theme(fakeWindow(false, 'purple').win).choice).toBe('system');
    const theme = new Theme(fakeWindow(true, undefined, true).win);
    expect(theme.choice).toBe('system');
    theme.set('light');
    expect(theme.resolved).toBe('light');
  });
});
