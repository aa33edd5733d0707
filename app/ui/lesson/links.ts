/**
 * Deep links to lessons: `#lesson=<id>`, `#lesson=<id>/<step>` or `#lesson=<id>/page` (the whole
 * lesson as one page) in the page's hash, beside any
 * other hash parameters (the code area's share links use `#code=`), so both can coexist.
 */
import { PAGE_STEP } from '../../lessons/types.ts';

const PARAM = 'lesson';

/** The step part that asks for the whole lesson on one page (`#lesson=<id>/page`). */
export const PAGE = PAGE_STEP;

export function parseLessonHash(hash: string): { lesson: string; step?: string } | undefined {
  const value = new URLSearchParams(hash.replace(/^#/, '')).get(PARAM);
  if (!value) return undefined;
  const [lesson, step] = value.split('/');
  if (!lesson) return undefined;
  return step ? { lesson, step } : { lesson };
}

export function lessonHash(lesson: string, step?: string): string {
  return `${PARAM}=${lesson}${step ? `/${step}` : ''}`;
}

/** `hash` with the lesson parameter set to `value` (removed when empty); other parameters stay. */
export function withLessonParam(hash: string, value: string): string {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const next = value ? new URLSearchParams(value).get(PARAM) : null;
  if (next) params.set(PARAM, next);
  else params.delete(PARAM);
  const s = params.toString().replace(/%2F/g, '/');
  return s ? `#${s}` : '';
}
