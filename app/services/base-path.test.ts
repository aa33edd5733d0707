import { describe, expect, test } from 'vitest';
import { normaliseBase } from './base-path.ts';

describe("the site's sub-path", () => {
  test("the root, however given: undefined, '', '/', Vite's relative './', a relative path", () => {
    for (const base of [undefined, '', '/', './', 'play/'])
      expect(normaliseBase(base), String(base)).toBe('/');
  });

  test('a sub-path loses its trailing slash', () => {
    expect(normaliseBase('/playground/')).toBe('/playground');
    expect(normaliseBase('/a/b')).toBe('/a/b');
  });
});
