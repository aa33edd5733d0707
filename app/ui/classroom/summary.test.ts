import { describe, expect, it } from 'vitest';
import type { ProgressReport, StudentRow } from '../../services/classroom-protocol.ts';
import { ago, progressGrid } from './summary.ts';

const row = (id: string, report?: Partial<ProgressReport>): StudentRow => ({
  id,
  name: id,
  address: '10.0.0.1',
  sockets: 1,
  lastActivity: 0,
  muted: false,
  ...(report ? { report: { step: 0, steps: 3, passed: 0, tasks: 1, lessonsPassed: 0, ...report } } : {}),
});

describe('progressGrid', () => {
  it('counts students per step of each lesson, and those whose step checks all pass', () => {
    const grid = progressGrid([
      row('a', { lesson: 'masking', step: 1, passed: 1, tasks: 1 }),
      row('b', { lesson: 'masking', step: 1, passed: 0, tasks: 1 }),
      row('c', { lesson: 'handshake', step: 0 }),
      row('d'),
      row('e', {}),
    ]);
    expect(grid.map((g) => g.lesson)).toEqual(['handshake', 'masking']);
    expect(grid[1]?.steps).toEqual([
      { here: 0, passed: 0 },
      { here: 2, passed: 1 },
      { here: 0, passed: 0 },
    ]);
  });

  it('never makes more than 50 cells, whatever a page reports', () => {
    const grid = progressGrid([row('a', { lesson: 'x', step: 9000, steps: 9001 })]);
    expect(grid[0]?.steps.length).toBe(50);
  });
});

describe('ago', () => {
  it('says how long ago in the largest whole unit', () => {
    expect(ago(10_000, 8_000)).toBe('just now');
    expect(ago(60_000, 18_000)).toBe('42 s ago');
    expect(ago(600_000, 420_000)).toBe('3 min ago');
    expect(ago(7_300_000, 0)).toBe('2 h ago');
  });
});
