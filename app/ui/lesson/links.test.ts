import { describe, expect, test } from 'vitest';
import { lessonHash, PAGE, parseLessonHash, withLessonParam } from './links.ts';

describe('lesson deep links', () => {
  test('name a lesson, and optionally a step', () => {
    expect(parseLessonHash('#lesson=handshake')).toEqual({ lesson: 'handshake' });
    expect(parseLessonHash('#lesson=handshake/read-the-101')).toEqual({
      lesson: 'handshake',
      step: 'read-the-101',
    });
    expect(parseLessonHash('#code=abc')).toBeUndefined();
    expect(parseLessonHash('')).toBeUndefined();
  });

  test('name the whole lesson as one page with the reserved step part "page"', () => {
    expect(lessonHash('masking', PAGE)).toBe('lesson=masking/page');
    expect(parseLessonHash('#lesson=masking/page')).toEqual({ lesson: 'masking', step: PAGE });
  });

  test('coexist with a code share link in the same hash', () => {
    expect(parseLessonHash('#code=xyz&lesson=masking/2')).toEqual({ lesson: 'masking', step: '2' });
    expect(withLessonParam('#code=xyz', lessonHash('masking', 'why'))).toBe('#code=xyz&lesson=masking/why');
    expect(withLessonParam('#code=xyz&lesson=masking/why', '')).toBe('#code=xyz');
    expect(withLessonParam('', '')).toBe('');
  });
});
