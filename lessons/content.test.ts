/**
 * The course's own check (as Rustlings' `dev check`): every lesson's files are complete and
 * consistent, its start fails its checks and its solution passes them on a real recorded
 * loopback. (The same walkthroughs run in the real page in both modes in e2e/lessons.spec.ts.)
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadLessonFolder } from '../app/lessons/build/vite-plugin.ts';
import { SNIPPETS } from '../app/snippets/index.ts';
import type { LessonPlay } from '../app/lessons/play.ts';
import { recordWalk } from '../app/lessons/recorder.ts';
import { runTasks } from '../app/lessons/runner.ts';
import type { Block, LessonChecks, LessonContent } from '../app/lessons/types.ts';

const root = new URL('.', import.meta.url).pathname;
const folders = readdirSync(root, { withFileTypes: true })
  .filter((d) => d.isDirectory() && /^\d\d-/.test(d.name))
  .map((d) => d.name)
  .sort();

function blocksOf(content: LessonContent): Block[] {
  const out: Block[] = [];
  const walk = (blocks: readonly Block[]) => {
    for (const b of blocks) {
      out.push(b);
      if (b.kind === 'weird') walk(b.blocks);
    }
  };
  for (const s of content.steps) walk(s.blocks);
  return out;
}

async function load(
  folder: string,
): Promise<{ content: LessonContent; checks: LessonChecks; play: LessonPlay }> {
  const content = loadLessonFolder(join(root, folder, 'index.md'));
  const checks = ((await import(`./${folder}/checks.ts`)) as { default: LessonChecks }).default;
  const play = ((await import(`./${folder}/play.ts`)) as { default: LessonPlay }).default;
  return { content, checks, play };
}

test('links between lessons name lessons that exist', () => {
  const contents = folders.map((f) => loadLessonFolder(join(root, f, 'index.md')));
  const ids = new Set(contents.map((c) => c.meta.id));
  const html = JSON.stringify(contents.map((c) => [c.intro, c.steps]));
  const linked = [...html.matchAll(/href=\\"#lesson=([a-z0-9-]+)/g)].map((m) => m[1]);
  expect(linked.length, 'the course links lessons to each other').toBeGreaterThan(0);
  for (const id of linked) expect(ids, `a link to #lesson=${id}`).toContain(id);
});

test('the snippets that teach what a lesson teaches link to a lesson that exists', () => {
  const ids = new Set(folders.map((f) => loadLessonFolder(join(root, f, 'index.md')).meta.id));
  const linked = SNIPPETS.filter((s) => s.lesson);
  expect(linked.length, 'snippets link to lessons').toBeGreaterThanOrEqual(10);
  for (const s of linked) expect(ids, `snippet ${s.id} links to lesson ${s.lesson}`).toContain(s.lesson);
});

test('the course has lessons, numbered 1, 2, 3... with unique ids', async () => {
  expect(folders.length).toBeGreaterThanOrEqual(8);
  const metas = folders.map((f) => loadLessonFolder(join(root, f, 'index.md')).meta);
  expect(metas.map((m) => m.order)).toEqual(metas.map((_, i) => i + 1));
  expect(new Set(metas.map((m) => m.id)).size).toBe(metas.length);
});

describe.each(folders)('%s', (folder) => {
  test('has index.md, checks.ts, checks.test.ts and play.ts', () => {
    for (const f of ['index.md', 'checks.ts', 'checks.test.ts', 'play.ts'])
      expect(existsSync(join(root, folder, f)), `${folder}/${f}`).toBe(true);
  });

  test('its directives name tasks, predictions and files that exist', async () => {
    const { content, checks } = await load(folder);
    const tasks = new Set(checks.tasks.map((t) => t.id));
    expect(tasks.size, 'task ids are unique').toBe(checks.tasks.length);
    const blocks = blocksOf(content);
    const predictions = new Set(blocks.flatMap((b) => (b.kind === 'predict' ? [b.id] : [])));
    const checked = new Set<string>();
    for (const b of blocks) {
      if (b.kind === 'check')
        for (const t of b.tasks) {
          expect(tasks, `:: check ${t}`).toContain(t);
          checked.add(t);
        }
      if (b.kind === 'inspector' && b.task) expect(tasks, `:: inspector task=${b.task}`).toContain(b.task);
      if (b.kind === 'explain' && b.task) expect(tasks, `explain task=${b.task}`).toContain(b.task);
      if (b.kind === 'explain' && b.predict)
        expect(predictions, `explain predict=${b.predict}`).toContain(b.predict);
      if (b.kind === 'editor')
        expect(
          Object.keys({ ...content.code.start, ...content.code.solution }),
          `:: editor ${b.file}`,
        ).toContain(b.file);
    }
    expect(
      [...tasks].filter((t) => !checked.has(t)),
      'tasks no step shows',
    ).toEqual([]);
    expect(predictions.size, 'a lesson asks for at least one prediction').toBeGreaterThan(0);
    if (content.meta.needs.code) {
      expect(Object.keys(content.code.start).length, 'start/ files').toBeGreaterThan(0);
      expect(Object.keys(content.code.solution).length, 'solution/ files').toBeGreaterThan(0);
    }
  });

  test('its start fails its checks and its solution passes them (loopback, recorded)', async () => {
    const { checks, play } = await load(folder);
    const start = runTasks(checks, await recordWalk(play.start));
    expect(
      [...start.values()].some((r) => !r.ok),
      'some task of the start fails',
    ).toBe(true);
    const solution = runTasks(checks, await recordWalk(play.solution));
    // Tasks that need the learner's code in the sandbox are proven in the browser (e2e/lessons.spec.ts).
    const browserOnly = play.browserOnly ?? [];
    for (const id of browserOnly)
      expect(
        checks.tasks.map((t) => t.id),
        `browserOnly ${id}`,
      ).toContain(id);
    const failing = [...solution].filter(([id, r]) => !r.ok && !browserOnly.includes(id));
    expect(failing, 'every task of the solution passes').toEqual([]);
  });
});
