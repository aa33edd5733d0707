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
