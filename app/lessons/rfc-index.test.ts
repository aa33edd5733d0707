import { describe, expect, test } from 'vitest';
import { rfcIndex } from './rfc-index.ts';
import type { LessonMeta } from './types.ts';

function meta(order: number, id: string, rfc: string[]): LessonMeta {
  return { id, order, title: `Lesson ${id}`, goal: '', rfc, minutes: 5, needs: { panels: [] } };
}

describe('the course indexed by RFC section', () => {
  test('sections come in numeric order, part by part (9.1 before 10), RFC 6455 before other RFCs', () => {
    const index = rfcIndex([meta(1, 'a', ['RFC 7692 7.1', '10', '9.1', '5.2', '5.5.2', '1.3', '5'])]);
    expect(index.map((e) => e.cite)).toEqual(['1.3', '5', '5.2', '5.5.2', '9.1', '10', 'RFC 7692 7.1']);
  });

  test('each section lists every lesson that cites it once, in course order', () => {
    const index = rfcIndex([meta(2, 'b', ['5.2', '5.2']), meta(1, 'a', ['5.2', '4.1'])]);
    expect(index.find((e) => e.cite === '5.2')?.lessons.map((l) => l.id)).toEqual(['a', 'b']);
    expect(index.find((e) => e.cite === '4.1')?.lessons.map((l) => l.id)).toEqual(['a']);
  });

  test('each section carries its title and a link to the RFC text', () => {
    const [entry] = rfcIndex([meta(1, 'a', ['5.5.2'])]);
    expect(entry?.ref.title).toBe('Ping');
    expect(entry?.ref.href).toMatch(/rfc6455.*section-5\.5\.2/);
  });

  test('an unknown citation is left out rather than shown without a link', () => {
    expect(rfcIndex([meta(1, 'a', ['99.9', '5.2'])]).map((e) => e.cite)).toEqual(['5.2']);
  });
});
