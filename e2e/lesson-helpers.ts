/**
 * Every lesson played in the real page, through the lab's own Connect (and the code area's Run
 * for lessons with code): the start must fail some task and the solution must pass them all, on
 * the real wire of whichever mode the page is in. The walkthroughs are the lessons' play.ts.
 */
import { expect, test, type Page } from '@playwright/test';

interface LessonsHook {
  player: {
    course: { meta: { id: string } }[];
    loaded?: unknown;
    reset(): void;
    open(id: string): Promise<boolean>;
  };
  play(id: string, which: 'start' | 'solution'): Promise<Record<string, boolean>>;
}

/** Lesson ids in course order (read from the source tree, so a spec knows them before a page exists). */
export function courseIds(): string[] {
  return [
    'handshake',
    'accept',
    'lifecycle',
    'frame-anatomy',
    'masking',
    'payload-lengths',
    'fragmentation',
    'closing',
  ];
}

export async function openLesson(page: Page, id: string): Promise<void> {
  await page.goto(`./#lesson=${id}`);
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

/** One test per lesson: the start fails, then (after a reset) the solution passes every task. */
export function everyLessonPlays(mode: 'server' | 'loopback'): void {
  for (const id of courseIds()) {
    test(`lesson ${id}: the start fails its checks and the solution passes them (${mode})`, async ({
      page,
    }) => {
      test.setTimeout(90_000);
      await openLesson(page, id);
      const start = await play(page, id, 'start');
      expect(Object.values(start), `some task of ${id}'s start fails`).toContain(false);
      await page.evaluate(() =>
        (window as unknown as { __wspLessons: LessonsHook }).__wspLessons.player.reset(),
      );
      const solution = await play(page, id, 'solution');
      const failing = Object.entries(solution)
        .filter(([, ok]) => !ok)
        .map(([task]) => task);
      expect(failing, `tasks of ${id}'s solution that fail`).toEqual([]);
      await expect(
        page.getByRole('region', { name: 'Lessons' }).getByText('passed', { exact: true }),
      ).toBeVisible();
    });
  }
}
