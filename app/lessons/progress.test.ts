import { describe, expect, test } from 'vitest';
import { CodeStore } from '../sandbox/storage.ts';
import { PROGRESS_KEY, ProgressStore, statusOf } from './progress.ts';

/** A Map-backed Storage with key()/length, as localStorage has. */
function memoryStorage(): Storage {
  const m = new Map<string, string>();
  return {
    getItem: (k) => m.get(k) ?? null,
    setItem: (k, v) => void m.set(k, String(v)),
    removeItem: (k) => void m.delete(k),
    key: (i) => [...m.keys()][i] ?? null,
    get length() {
      return m.size;
    },
    clear: () => m.clear(),
  };
}

describe('ProgressStore', () => {
  test('keeps predictions, hints, inputs and passed tasks across a reload', () => {
    const storage = memoryStorage();
    const a = new ProgressStore(() => storage);
    a.update('handshake', (p) => {
      p.predictions.method = 'GET';
      p.hints.predict = 2;
      p.inputs.built = '81 00';
      p.passed.push('opened');
      p.step = 2;
    });
    const b = new ProgressStore(() => storage);
    expect(b.get('handshake')).toMatchObject({
      step: 2,
      predictions: { method: 'GET' },
      hints: { predict: 2 },
      inputs: { built: '81 00' },
      passed: ['opened'],
    });
  });

  test('the solution marks a lesson seen, not passed', () => {
    const store = new ProgressStore(() => memoryStorage());
    expect(statusOf(store.get('x'))).toBe('new');
    expect(statusOf(store.update('x', () => {}))).toBe('started');
    expect(statusOf(store.update('x', (p) => (p.solutionSeen = true)))).toBe('seen');
    expect(statusOf(store.update('x', (p) => (p.done = true)))).toBe('passed');
  });

  test('reset forgets the lesson and its code, and moves the start of its trace', () => {
    const storage = memoryStorage();
    const code = new CodeStore(() => storage);
    code.save('lesson-accept-server.js', 'mine');
    code.save('lesson-other-server.js', 'theirs');
    const store = new ProgressStore(() => storage);
    store.update('accept', (p) => (p.done = true), 1000);
    const fresh = store.reset('accept', 5000);
    expect(fresh).toMatchObject({ done: false, since: 5000 });
    expect(code.load('lesson-accept-server.js')).toBeUndefined();
    expect(code.load('lesson-other-server.js')?.code).toBe('theirs');
  });

  test('exports progress and lesson code as one file, and imports it elsewhere', () => {
    const s1 = memoryStorage();
    new CodeStore(() => s1).save('lesson-accept-server.js', 'function acceptFor() {}');
    const a = new ProgressStore(() => s1);
    a.update('accept', (p) => (p.predictions.q = 'yes'));
    const file = a.export(0);
    const s2 = memoryStorage();
    const b = new ProgressStore(() => s2);
    expect(b.import(file)).toBe(true);
    expect(b.message).toBe('Imported progress of 1 lesson and 1 code file.');
    expect(b.get('accept')?.predictions.q).toBe('yes');
    expect(new CodeStore(() => s2).load('lesson-accept-server.js')?.code).toBe('function acceptFor() {}');
  });

  test('a bad file is refused with a reason and changes nothing', () => {
    const store = new ProgressStore(() => memoryStorage());
    store.update('a', (p) => (p.step = 1));
    expect(store.import('{nope')).toBe(false);
    expect(store.message).toMatch(/^Not imported: the file is not JSON/);
    expect(store.import('{"format":"other"}')).toBe(false);
    expect(store.message).toMatch(/not a progress file/);
    expect(store.get('a')?.step).toBe(1);
  });

  test('corrupt storage starts afresh with a word, and full storage keeps progress for the visit', () => {
    const storage = memoryStorage();
    storage.setItem(PROGRESS_KEY, '{corrupt');
    const store = new ProgressStore(() => storage);
    expect(store.message).toMatch(/could not be read/);
    const full = memoryStorage();
    full.setItem = () => {
      throw new DOMException('full', 'QuotaExceededError');
    };
    const s = new ProgressStore(() => full);
    s.update('a', (p) => (p.step = 3));
    expect(s.get('a')?.step).toBe(3);
    expect(s.message).toMatch(/could not be saved/);
  });
});
