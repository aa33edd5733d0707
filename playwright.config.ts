import { defineConfig } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { chromiumLaunchOptions } from './scripts/browser.ts';

/**
 * Two servers, each on a free loopback port chosen once (workers inherit the env):
 * - dev: `vite` with the echo endpoints, as a developer runs it;
 * - static: the production build under a sub-path on a plain static host (scripts/static-host.ts):
 *   no WebSocket endpoints, so the page runs on its loopback.
 */
function freePort(): string {
  const script =
    "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{process.stdout.write(String(s.address().port));s.close()})";
  return execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' });
}
process.env.WSP_DEV_PORT ??= freePort();
process.env.WSP_STATIC_PORT ??= freePort();
const devPort = process.env.WSP_DEV_PORT;
const staticPort = process.env.WSP_STATIC_PORT;
export const SUB_PATH = '/playground/';
const vite = 'node node_modules/vite/bin/vite.js';

export default defineConfig({
  testDir: 'e2e',
  fullyParallel: true,
  // One worker in CI: the sandbox's watchdog and flood budgets, and the lessons' timing checks, measure
  // real time, and two Chromiums beside the dev server on 2 cores starve them (seen as flakes).
  workers: process.env.CI ? 1 : undefined,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 30_000,
  reporter: process.env.CI ? [['list'], ['json', { outputFile: 'test-results/e2e.json' }]] : 'list',
  use: {
    browserName: 'chromium',
    launchOptions: chromiumLaunchOptions(),
    trace: 'retain-on-failure',
  },
  projects: [
    {
      name: 'dev',
      testIgnore: [/static\..*spec\.ts/, /\.perf\.spec\.ts/],
      use: { baseURL: `http://127.0.0.1:${devPort}/` },
    },
    {
      name: 'static',
      testMatch: /static\..*spec\.ts/,
      use: { baseURL: `http://127.0.0.1:${staticPort}${SUB_PATH}` },
    },
    {
      // Main-thread budgets (no task over 50 ms) are measured on the production build with the
      // machine otherwise idle: this project starts only when the others have finished.
      name: 'perf',
      testMatch: /\.perf\.spec\.ts/,
      dependencies: ['dev', 'static'],
      use: { baseURL: `http://127.0.0.1:${staticPort}${SUB_PATH}` },
    },
  ],
  webServer: [
    {
      command: `exec ${vite} --host 127.0.0.1 --port ${devPort} --strictPort`,
      url: `http://127.0.0.1:${devPort}/`,
      reuseExistingServer: false,
      timeout: 60_000,
    },
    {
      // A plain static host (no WebSocket endpoints, no playground header), as on any static
      // hosting: the page must run on its loopback. npm test builds once before the e2e run
      // (WSP_BUILT=1); a bare `playwright test` builds here.
      command: `[ -n "$WSP_BUILT" ] || npm run build >/dev/null; exec node --import tsx scripts/static-host.ts --dir dist --base ${SUB_PATH} --port ${staticPort}`,
      url: `http://127.0.0.1:${staticPort}${SUB_PATH}`,
      reuseExistingServer: false,
      // A first build compresses everything with brotli 11 (minutes on a busy 2-core machine;
      // later builds reuse node_modules/.vite/precompress).
      timeout: 420_000,
    },
  ],
});
