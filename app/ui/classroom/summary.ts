/** The dashboard's figures from the roster: pure, so they are tested without a page. */
import { findLesson } from '../../lessons/catalog.ts';
import type { StudentRow } from '../../services/classroom-protocol.ts';

export interface LessonProgressRow {
  lesson: string;
  /** Per step: students on it now, and of them how many pass all its checks. */
  steps: { here: number; passed: number }[];
}

/** One row per lesson someone is in, in course order, with a cell per step. */
export function progressGrid(students: readonly StudentRow[]): LessonProgressRow[] {
  const rows = new Map<string, LessonProgressRow>();
  for (const s of students) {
    const r = s.report;
    if (!r?.lesson) continue;
    let row = rows.get(r.lesson);
    if (!row) rows.set(r.lesson, (row = { lesson: r.lesson, steps: [] }));
    const length = Math.max(r.steps, r.step + 1, row.steps.length);
    while (row.steps.length < Math.min(length, 50)) row.steps.push({ here: 0, passed: 0 });
    const cell = row.steps[r.step];
    if (!cell) continue;
    cell.here += 1;
    if (r.tasks > 0 && r.passed === r.tasks) cell.passed += 1;
  }
  const order = (id: string): number => findLesson(id)?.meta.order ?? Number.MAX_SAFE_INTEGER;
  return [...rows.values()].sort(
    (a, b) => order(a.lesson) - order(b.lesson) || a.lesson.localeCompare(b.lesson),
  );
}

export function lessonTitle(id: string): string {
  const l = findLesson(id);
  return l ? `${l.meta.order}. ${l.meta.title}` : id;
}

/** "just now", "42 s ago", "3 min ago", "2 h ago". */
export function ago(now: number, then: number): string {
  const s = Math.max(0, Math.round((now - then) / 1000));
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  return `${Math.floor(s / 3600)} h ago`;
}
