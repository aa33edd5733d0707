/** The one door to Monaco: a dynamic import, so it never joins the first load. */
import { importWithRetry } from '../lib/lazy.ts';

export type MonacoModule = typeof import('./monaco-setup.ts');

let loading: Promise<MonacoModule> | undefined;

export function loadMonaco(): Promise<MonacoModule> {
  loading ??= importWithRetry(() => import('./monaco-setup.ts')).catch((error: unknown) => {
    loading = undefined; // the next editor tries again
    throw error;
  });
  return loading;
}
