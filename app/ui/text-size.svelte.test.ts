import { describe, expect, it } from 'vitest';
import { TEXT_SIZE_STORAGE_KEY, TextSize } from './text-size.svelte.ts';

function memoryStorage(): Storage {
  const m = new Map<string, string>();
  return {
    getItem: (k) => m.get(k) ?? null,
    setItem: (k, v) => void m.set(k, v),
    removeItem: (k) => void m.delete(k),
    clear: () => m.clear(),
    key: () => null,
    get length() {
      return m.size;
    },
  };
}

describe('TextSize', () => {
  it('scales row heights with the text, and remembers the choice', () => {
    const storage = memoryStorage();
    const t = new TextSize(storage);
    expect(t.rowPx(24)).toBe(24);
    t.set('projector');
    expect(t.rowPx(24)).toBe(35);
    expect(storage.getItem(TEXT_SIZE_STORAGE_KEY)).toBe('projector');
    expect(new TextSize(storage).choice).toBe('projector');
    t.set('normal');
    expect(storage.getItem(TEXT_SIZE_STORAGE_KEY)).toBeNull();
  });

  it('ignores a stored value it does not know', () => {
    const storage = memoryStorage();
    storage.setItem(TEXT_SIZE_STORAGE_KEY, 'huge');
    expect(new TextSize(storage).choice).toBe('normal');
  });
});
