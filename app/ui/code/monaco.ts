/** The one door to Monaco: a dynamic import, so it never joins the first load. */
export type MonacoModule = typeof import('./monaco-setup.ts');

let loading: Promise<MonacoModule> | undefined;

/**
 * Retries a failed import twice: a dev server that optimises Monaco's dependencies on first
 * use, or a flaky network, fails the first fetch of a chunk now and then.
 */
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

export function loadMonaco(): Promise<MonacoModule> {
  loading ??= importWithRetry(() => import('./monaco-setup.ts')).catch((error: unknown) => {
    loading = undefined; // the next editor tries again
    throw error;
  });
  return loading;
}
