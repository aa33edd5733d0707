/**
 * The course as the page loads it: every lesson's frontmatter up front (a few hundred bytes
 * each, for the table of contents), its content, checks and walkthrough on demand. Vite turns
 * the globs into one small chunk per lesson file (build/vite-plugin.ts renders the Markdown).
 */
import type { LessonPlay } from './play.ts';
import type { LessonChecks, LessonContent, LessonMeta } from './types.ts';

const metas = import.meta.glob<LessonMeta>('/lessons/*/index.md', {
  query: '?meta',
  import: 'default',
  eager: true,
});
const contents = import.meta.glob<LessonContent>('/lessons/*/index.md', { import: 'default' });
const checks = import.meta.glob<LessonChecks>('/lessons/*/checks.ts', { import: 'default' });
const plays = import.meta.glob<LessonPlay>('/lessons/*/play.ts', { import: 'default' });

export interface LessonEntry {
  meta: LessonMeta;
  folder: string;
}

export const COURSE: readonly LessonEntry[] = Object.entries(metas)
  .map(([path, meta]) => ({ meta, folder: path.split('/').at(-2)! }))
  .sort((a, b) => a.meta.order - b.meta.order);

export interface LoadedLesson {
  content: LessonContent;
  checks: LessonChecks;
  play: LessonPlay | undefined;
}

export function findLesson(id: string): LessonEntry | undefined {
  return COURSE.find((l) => l.meta.id === id);
}

export async function loadLesson(entry: LessonEntry): Promise<LoadedLesson> {
  const base = `/lessons/${entry.folder}/`;
  const content = contents[`${base}index.md`];
  const check = checks[`${base}checks.ts`];
  if (!content || !check) throw new Error(`lesson ${entry.folder} is missing index.md or checks.ts`);
  const [c, k, p] = await Promise.all([content(), check(), plays[`${base}play.ts`]?.()]);
  return { content: c, checks: k, play: p };
}
