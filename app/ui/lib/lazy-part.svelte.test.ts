import { describe, expect, it } from 'vitest';
import { LazyPart } from './lazy-part.svelte.ts';
import { importWithRetry, loadFailure } from './lazy.ts';

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
