import { describe, expect, test } from 'vitest';
import { createStackMapper } from './stack.ts';

const stack = [
  'TypeError: boom',
  '    at eval (learner.js:5:3)',
  '    at runtime (blob:null/abc:10:2)',
  '    at inner (learner.js:3:9)',
].join('\n');

describe('stack traces in editor lines', () => {
  test("keeps the learner's frames, one line up (the wrapper's line), and drops the runtime's", () => {
    const m = createStackMapper(() => ({ code: '', filename: 'learner.js' }), String);
    expect(m.mapStack(stack)).toBe(
      ['TypeError: boom', '    at (line 4:3)', '    at inner (line 2:9)'].join('\n'),
    );
  });

  test("maps through the run's line map, and the error points at its first learner frame", () => {
    const m = createStackMapper(
      () => ({ code: '', filename: 'learner.js', lineMap: [0, 10, 20, 30, 40] }),
      String,
    );
    const error = new TypeError('boom');
    error.stack = stack;
    expect(m.mapError(error).line).toBe(40);
    expect(m.editorLine(1)).toBeUndefined(); // the wrapper's own line
  });

  test('a thrown non-Error is formatted, with no line', () => {
    const m = createStackMapper(
      () => null,
      (args) => `formatted ${String(args[0])}`,
    );
    expect(m.mapError(42)).toEqual({ text: 'formatted 42' });
  });
});
