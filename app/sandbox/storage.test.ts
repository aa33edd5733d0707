import { describe, expect, it } from 'vitest';
import { CODE_KEY_PREFIX, CodeStore, isQuotaError, type StorageLike } from './storage.ts';

class MapStorage implements StorageLike {
  map = new Map<string, string>();
  quota = Infinity;
  getItem(k: string): string | null {
    return this.map.get(k) ?? null;
  }
  setItem(k: string, v: string): void {
    const used = [...this.map].reduce((n, [key, val]) => n + (key === k ? 0 : key.length + val.length), 0);
    if (used + k.length + v.length > this.quota) throw new DOMException('full', 'QuotaExceededError');
    this.map.set(k, v);
  }
  removeItem(k: string): void {
    this.map.delete(k);
  }
}

describe('CodeStore', () => {
  it('saves and loads code per snippet', () => {
    const storage = new MapStorage();
    const store = new CodeStore(() => storage);
    expect(store.save('chat-client', 'console.log(1)', { now: 42 })).toEqual({ ok: true });
    expect(store.save('binary', 'console.log(2)', { now: 43 })).toEqual({ ok: true });
    expect(store.load('chat-client')).toEqual({
      code: 'console.log(1)',
      savedAt: 42,
      rev: expect.any(String),
    });
    expect(store.load('binary')?.code).toBe('console.log(2)');
    expect(storage.map.has(`${CODE_KEY_PREFIX}chat-client`)).toBe(true);
  });

  it('keeps the language the learner chose, and ignores one it does not know', () => {
    const storage = new MapStorage();
    const store = new CodeStore(() => storage);
    store.save('echo-client', 'let n: number = 1;', { now: 7, language: 'typescript' });
    expect(store.load('echo-client')).toEqual({
      code: 'let n: number = 1;',
      savedAt: 7,
      language: 'typescript',
      rev: expect.any(String),
    });
    storage.setItem(`${CODE_KEY_PREFIX}odd`, JSON.stringify({ code: 'x', savedAt: 1, language: 'cobol' }));
    expect(store.load('odd')).toEqual({ code: 'x', savedAt: 1 });
  });

  it('gives every save its own rev, and keeps the rev of the save it replaced as its base', () => {
    const storage = new MapStorage();
    const store = new CodeStore(() => storage);
    store.save('a', 'one', { now: 5 });
    const first = store.load('a')!;
    store.save('a', 'two', { now: 5, base: first.rev });
    const second = store.load('a')!;
    expect(second.rev).not.toBe(first.rev);
    expect(second.base).toBe(first.rev);
  });

  it('forgets a snippet on remove (reset)', () => {
    const storage = new MapStorage();
    const store = new CodeStore(() => storage);
    store.save('a', 'x');
    expect(store.remove('a')).toEqual({ ok: true });
    expect(store.load('a')).toBeUndefined();
  });

  it('reports a full storage as a quota result, never a throw, and keeps the old copy', () => {
    const storage = new MapStorage();
    const store = new CodeStore(() => storage);
    store.save('a', 'old');
    storage.quota = 10;
    const result = store.save('a', 'x'.repeat(100));
    expect(result).toMatchObject({ ok: false, reason: 'quota' });
    expect(store.load('a')?.code).toBe('old');
  });

  it('works without storage (disabled, or access throws)', () => {
    const none = new CodeStore(() => undefined);
    expect(none.load('a')).toBeUndefined();
    expect(none.save('a', 'x')).toMatchObject({ ok: false, reason: 'unavailable' });
    const throwing = new CodeStore(() => {
      throw new DOMException('denied', 'SecurityError');
    });
    expect(throwing.load('a')).toBeUndefined();
    expect(throwing.save('a', 'x')).toMatchObject({ ok: false, reason: 'unavailable' });
    expect(throwing.remove('a')).toMatchObject({ ok: false });
  });

  it('ignores a corrupt saved value', () => {
    const storage = new MapStorage();
    storage.map.set(`${CODE_KEY_PREFIX}a`, '{not json');
    storage.map.set(`${CODE_KEY_PREFIX}b`, JSON.stringify({ code: 7 }));
    const store = new CodeStore(() => storage);
    expect(store.load('a')).toBeUndefined();
    expect(store.load('b')).toBeUndefined();
  });

  it('recognises the quota errors browsers throw', () => {
    expect(isQuotaError(new DOMException('x', 'QuotaExceededError'))).toBe(true);
    expect(isQuotaError(Object.assign(new Error('x'), { name: 'NS_ERROR_DOM_QUOTA_REACHED' }))).toBe(true);
    expect(isQuotaError(new Error('other'))).toBe(false);
    expect(isQuotaError('QuotaExceededError')).toBe(false);
  });
});
