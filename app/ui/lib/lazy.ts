/**
 * Loading a part of the page on demand: a dynamic import, retried, so a chunk that fails once
 * (a flaky network, a dev server optimising a dependency on first use) does not fail the part.
 */

/** Retries a failed import after each of `delays` (ms), then gives up with the last error. */
export async function importWithRetry<T>(
  load: () => Promise<T>,
  delays: readonly number[] = [400, 1500],
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await load();
    } catch (error) {
      const delay = delays[attempt];
      if (delay === undefined) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** What a failed load says: the part by name, the browser's reason, and what to do. */
export function loadFailure(what: string, error: unknown): string {
  const reason = error instanceof Error ? error.message : String(error);
  return `${what} could not be loaded (${reason}). Check the connection and try again.`;
}

/** How long `afterPaint` waits at most: a background tab paints nothing until it is shown. */
export const AFTER_PAINT_LIMIT_MS = 1000;

/** Calls `painted` once the page has painted its first content (at once if it already has). */
export type PaintWatch = (painted: () => void) => void;

/** The browser's own first-contentful-paint entry, where it reports one. */
const firstContentfulPaint: PaintWatch | undefined =
  typeof PerformanceObserver === 'function' && PerformanceObserver.supportedEntryTypes?.includes('paint')
    ? (painted) => {
        const observer = new PerformanceObserver((list) => {
          if (list.getEntriesByName('first-contentful-paint').length === 0) return;
          observer.disconnect();
          painted();
        });
        observer.observe({ type: 'paint', buffered: true });
      }
    : undefined;

/**
 * Runs `fn` once, after the first screen has been painted (or after AFTER_PAINT_LIMIT_MS when
 * nothing is painted, as in a background tab), so what it loads does not hold up that paint:
 * chunks requested before it delay it on a slow phone. Without paint timing (Node, tests) it
 * runs `fn` at once.
 */
export function afterPaint(fn: () => void, watch: PaintWatch | undefined = firstContentfulPaint): void {
  if (!watch) {
    fn();
    return;
  }
  let done = false;
  const run = (): void => {
    if (done) return;
    done = true;
    fn();
  };
  watch(run);
  setTimeout(run, AFTER_PAINT_LIMIT_MS);
}
