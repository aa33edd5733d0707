/**
 * Vite plugin: `lessons/NN-slug/index.md` imports as its LessonContent (rendered at build time,
 * so no Markdown library reaches the page), and `index.md?meta` as its LessonMeta alone (the
 * table of contents loads only those). The lesson's code files (start/, solution/) come with
 * the content. Edits to any of them reload in dev.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Plugin } from 'vite';
import type { LessonContent } from '../types.ts';
import { parseLesson } from './markdown.ts';

const LESSON_INDEX = /[\\/]lessons[\\/](\d\d-[a-z0-9-]+)[\\/]index\.md$/;

function readCode(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out; // no start/ or solution/: a lesson without code
  }
  for (const name of names.sort()) {
    const path = join(dir, name);
    if (statSync(path).isFile()) out[name] = readFileSync(path, 'utf8');
  }
  return out;
}

/** The whole lesson as the player needs it, from its folder on disk. */
export function loadLessonFolder(indexPath: string): LessonContent {
  const dir = dirname(indexPath);
  const parsed = parseLesson(readFileSync(indexPath, 'utf8'), basename(dir));
  return {
    ...parsed,
    code: { start: readCode(join(dir, 'start')), solution: readCode(join(dir, 'solution')) },
  };
}

export function lessonsPlugin(): Plugin {
  return {
    name: 'websocket-playground-lessons',
    load(id) {
      const [path, query = ''] = id.split('?');
      if (!path || !LESSON_INDEX.test(path)) return null;
      const content = loadLessonFolder(path);
      const dir = dirname(path);
      for (const sub of ['start', 'solution']) {
        for (const name of Object.keys(content.code[sub as 'start' | 'solution']))
          this.addWatchFile(join(dir, sub, name));
      }
      const value = query.split('&').includes('meta') ? content.meta : content;
      return { code: `export default ${JSON.stringify(value)};`, map: null };
    },
  };
}
