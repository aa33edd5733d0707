/**
 * Every lesson played in the real page, through the lab's own Connect (and the code area's Run
 * for lessons with code): the start must fail some task and the solution must pass them all, on
 * the real wire of whichever mode the page is in. The walkthroughs are the lessons' play.ts.
 */
import { expect, test, type Page } from '@playwright/test';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

interface LessonsHook {
  player: {
    course: { meta: { id: string } }[];
    loaded?: unknown;
    reset(): void;
    open(id: string): Promise<boolean>;
  };
  play(id: string, which: 'start' | 'solution'): Promise<Record<string, boolean>>;
}

/** Lesson ids in course order, read from lessons/NN-slug/index.md (a spec knows them before a page exists). */
export function courseIds(): string[] {
  const root = resolve('lessons');
  return readdirSync(root)
    .filter((d) => /^\d\d-/.test(d))
    .sort()
    .map((d) => /^id: *(\S+)/m.exec(readFileSync(join(root, d, 'index.md'), 'utf8'))?.[1] ?? d);
}

/** Opens lesson `id` by its deep link, on the project's site or on `site` (a URL ending in /). */
export async function openLesson(page: Page, id: string, site = './'): Promise<void> {
  await page.goto(`${site}#lesson=${id}`);
  await page.waitForFunction((lesson) => {
    const hook = (window as unknown as { __wspLessons?: LessonsHook }).__wspLessons;
    return (
      hook?.player.loaded !== undefined &&
      (hook.player as unknown as { lessonId?: string }).lessonId === lesson
    );
  }, id);
  // The lab is ready once the page has chosen its transport.
  await page.waitForFunction(
    () => (window as unknown as { __wspLab?: { ready: boolean } }).__wspLab?.ready === true,
  );
}

export async function play(
  page: Page,
  id: string,
  which: 'start' | 'solution',
): Promise<Record<string, boolean>> {
  return page.evaluate(
    ([lesson, w]) =>
      (window as unknown as { __wspLessons: LessonsHook }).__wspLessons.play(lesson!, w as 'start'),
    [id, which],
  );
}

/** Shows the step that checks the first failing task (as a learner would go looking for it). */
async function showFirstFailure(page: Page): Promise<string> {
  return page.evaluate(() => {
    type Block = { kind: string; tasks?: string[]; blocks?: Block[] };
    const p = (
      window as unknown as { __wspLessons: { player: LessonsHook['player'] & Record<string, unknown> } }
    ).__wspLessons.player as unknown as {
      steps: { blocks: Block[] }[];
      results: Map<string, { ok: boolean }>;
      go(i: number): void;
    };
    const tasks = (blocks: Block[]): string[] =>
      blocks.flatMap((b) =>
        b.kind === 'check' ? (b.tasks ?? []) : b.kind === 'weird' ? tasks(b.blocks ?? []) : [],
      );
    const i = p.steps.findIndex((s) => tasks(s.blocks).some((t) => p.results.get(t)?.ok === false));
    p.go(i);
    return String(i);
  });
}

/**
 * One test per lesson: the start fails, and the learner sees the first failure in full (what was
 * expected, what the wire showed); after a reset the solution passes every task; after a reload
 * the lesson is still passed.
 */
export function everyLessonPlays(mode: 'server' | 'loopback'): void {
  for (const id of courseIds()) {
    test(`lesson ${id}: the start fails with a precise message, the solution passes, and a reload keeps it (${mode})`, async ({
      page,
    }) => {
      test.setTimeout(150_000); // walks that run code wait for their checks, up to 40 s a run (PlayLab.settle)
      await openLesson(page, id);
      const lessons = page.getByRole('region', { name: 'Lessons' });
      const start = await play(page, id, 'start');
      expect(Object.values(start), `some task of ${id}'s start fails`).toContain(false);
      await showFirstFailure(page);
      const detail = lessons.locator('.detail');
      await expect(detail.locator('dt', { hasText: 'Expected' })).toBeVisible();
      await expect(detail.locator('dt', { hasText: 'The wire showed' })).toBeVisible();
      expect(
        (await detail.locator('dd').first().innerText()).length,
        'a precise expectation',
      ).toBeGreaterThan(10);

      await page.evaluate(() =>
        (window as unknown as { __wspLessons: LessonsHook }).__wspLessons.player.reset(),
      );
      const solution = await play(page, id, 'solution');
      const failing = Object.entries(solution)
        .filter(([, ok]) => !ok)
        .map(([task]) => task);
      expect(failing, `tasks of ${id}'s solution that fail`).toEqual([]);
      await expect(lessons.locator('.meta .status.passed')).toHaveText('passed');
      await expect(lessons.locator('.check li.current')).toHaveCount(0);

      await page.reload();
      await openLesson(page, id);
      await expect(lessons.locator('.meta .status.passed')).toHaveText('passed');
    });
  }
}
