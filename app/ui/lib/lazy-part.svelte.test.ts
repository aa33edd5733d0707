import { describe, expect, it, vi } from 'vitest';
import { LazyPart } from './lazy-part.svelte.ts';
import { AFTER_PAINT_LIMIT_MS, afterPaint, importWithRetry, loadFailure } from './lazy.ts';

describe('LazyPart', () => {
  it('loads once however often it is started', async () => {
    let loads = 0;
    const part = new LazyPart('The bit view', async () => ++loads);
    expect(part.status).toBe('idle');
    const [a, b] = await Promise.all([part.start(), part.start()]);
    expect([a, b, loads, part.status, part.current]).toEqual([1, 1, 1, 'ready', 1]);
  });

  it('names the part and the reason when its chunk fails, and tries again on the next start', async () => {
    let fail = true;
    const part = new LazyPart(
      'The code area',
      async () => {
        if (fail) throw new TypeError('Failed to fetch dynamically imported module');
        return 'code';
      },
      [],
    );
    expect(await part.start()).toBeUndefined();
    expect(part.status).toBe('failed');
    expect(part.error).toBe(
      'The code area could not be loaded (Failed to fetch dynamically imported module). Check the connection and try again.',
    );
    fail = false;
    expect(await part.start()).toBe('code');
    expect([part.status, part.error]).toEqual(['ready', '']);
  });
});

describe('importWithRetry', () => {
  it('retries after each delay, then gives up with the last error', async () => {
    let calls = 0;
    const failing = importWithRetry(async () => {
      calls++;
      throw new Error(`attempt ${calls}`);
    }, [0, 0]);
    await expect(failing).rejects.toThrow('attempt 3');
    let tries = 0;
    expect(
      await importWithRetry(async () => (++tries < 2 ? Promise.reject(new Error('x')) : 'ok'), [0]),
    ).toBe('ok');
  });
});

describe('loadFailure', () => {
  it('says what could not be loaded, why, and what to do', () => {
    expect(loadFailure('Paste & decode', 'offline')).toBe(
      'Paste & decode could not be loaded (offline). Check the connection and try again.',
    );
  });
});

describe('afterPaint', () => {
  it('runs once the first content is painted, and only once', () => {
    vi.useFakeTimers();
    try {
      let painted: (() => void) | undefined;
      const runs: string[] = [];
      afterPaint(
        () => runs.push('ran'),
        (callback) => (painted = callback),
      );
      expect(runs).toEqual([]); // nothing before the paint
      painted!();
      expect(runs).toEqual(['ran']);
      vi.advanceTimersByTime(AFTER_PAINT_LIMIT_MS);
      expect(runs).toEqual(['ran']); // the limit does not run it again
    } finally {
      vi.useRealTimers();
    }
  });

  it('runs after the limit when nothing is painted (a background tab), and at once without paint timing', () => {
    vi.useFakeTimers();
    try {
      const runs: string[] = [];
      afterPaint(
        () => runs.push('late'),
        () => undefined,
      );
      vi.advanceTimersByTime(AFTER_PAINT_LIMIT_MS - 1);
      expect(runs).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(runs).toEqual(['late']);
      afterPaint(() => runs.push('now')); // Node reports no paint timing
      expect(runs).toEqual(['late', 'now']);
    } finally {
      vi.useRealTimers();
    }
  });
});
