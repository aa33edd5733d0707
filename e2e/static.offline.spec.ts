/**
 * Delivery of the production build: compressed assets, revalidation, offline, updates.
 *
 * Each test starts its own host on dist/ (scripts/static-host.ts under /playground/, or the
 * standalone server), so it can stop it (truly offline) or change sw.js (a new version) without
 * touching the project's shared static server. Every test has a fresh browser context, so a
 * service worker registered here never reaches another spec.
 */
import { expect, test, type Page } from '@playwright/test';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startStandalone, type Standalone } from '../app/server/standalone.ts';
import { startStaticHost, type StaticHost } from '../scripts/static-host.ts';
import { openCode } from './code-helpers.ts';
import { collectPageErrors } from './console.ts';
import { openLesson, play } from './lesson-helpers.ts';

const DIST = path.resolve('dist');
const BASE = '/playground/';

let host: StaticHost | undefined;
let standalone: Standalone | undefined;
let copy: string | undefined;
test.afterEach(async () => {
  await host?.close();
  await standalone?.stop();
  if (copy) rmSync(copy, { recursive: true, force: true });
  host = standalone = copy = undefined;
});

/** Waits until the service worker has precached the build and controls the page. */
async function untilOffline(page: Page): Promise<void> {
  // `ready`: a worker is active, so its install (the precache) has finished; then clientsClaim
  // makes it the page's controller.
  await page.evaluate(async () => {
    const container = navigator.serviceWorker;
    await container.ready;
    if (!container.controller)
      await new Promise((done) => container.addEventListener('controllerchange', done, { once: true }));
  });
}

test.describe('without a service worker', () => {
  test.use({ serviceWorkers: 'block' });

  test('the assets arrive brotli-compressed, and a reload revalidates the page with a 304', async ({
    page,
  }) => {
    host = await startStaticHost({ dir: DIST, base: BASE });
    const answers: { path: string; status: number; encoding: string | undefined }[] = [];
    page.on('response', async (r) =>
      answers.push({
        path: new URL(r.url()).pathname,
        status: r.status(),
        encoding: (await r.allHeaders())['content-encoding'],
      }),
    );
    await page.goto(host.url);
    await expect(page.getByRole('region', { name: 'Frame inspector' })).toBeVisible();
    await page.waitForLoadState('networkidle');
    // Every script the build compressed (files under 1 KB are not) came as brotli, the page too.
    const compressed = answers.filter(
      (a) => a.path === BASE || existsSync(path.join(DIST, `${a.path.slice(BASE.length)}.br`)),
    );
    expect(compressed.filter((a) => a.path.endsWith('.js')).length).toBeGreaterThan(2);
    for (const a of compressed)
      expect(a, `${a.path} compressed`).toMatchObject({ status: 200, encoding: 'br' });

    const before = host.seen.length;
    await page.reload();
    await expect(page.getByRole('region', { name: 'Frame inspector' })).toBeVisible();
    // Chromium shows the revalidated page as 200 (from its cache); the host saw the 304.
    const asked = host.seen.slice(before);
    expect(asked.find((s) => s.method === 'GET' && s.path === BASE)?.status).toBe(304);
    // Hashed assets are immutable: a reload does not even ask for them again.
    expect(asked.filter((s) => s.path.includes('/assets/') && s.path.endsWith('.js'))).toEqual([]);
  });
});

test('once loaded, the static site reloads with no network, a lesson runs on the loopback and the code panel opens', async ({
  page,
  context,
}) => {
  test.setTimeout(90_000);
  host = await startStaticHost({ dir: DIST, base: BASE });
  await page.goto(host.url);
  await untilOffline(page);

  // No network at all: the host is gone and the browser is offline.
  const site = host.url;
  await host.close();
  host = undefined;
  await context.setOffline(true);
  const errors = collectPageErrors(page);
  const failed: string[] = [];
  page.on('requestfailed', (r) => failed.push(`${r.method()} ${new URL(r.url()).pathname}`));
  await page.reload();
  await expect(page.getByRole('region', { name: 'Frame inspector' })).toBeVisible();
  // Lesson 1 on the loopback: the lab's own Connect, checked from the wire.
  await openLesson(page, 'handshake', site);
  const solution = await play(page, 'handshake', 'solution');
  expect(Object.entries(solution).filter(([, ok]) => !ok)).toEqual([]);
  // The code panel's lazy parts come from the cache too: Monaco (and its workers) and xterm.
  await openCode(page, '');
  // The one request that fails is the mode probe (a HEAD for the page, never cached), which is
  // how the page knows to use its loopback.
  expect([...new Set(failed)]).toEqual([`HEAD ${BASE}`]);
  expect(errors.filter((e) => !e.includes('ERR_INTERNET_DISCONNECTED'))).toEqual([]);
});

test('a new version waits for the learner: the notice appears, and Reload switches to it', async ({
  page,
}) => {
  test.setTimeout(60_000);
  copy = mkdtempSync(path.join(os.tmpdir(), 'wsp-dist-'));
  cpSync(DIST, copy, { recursive: true });
  host = await startStaticHost({ dir: copy, base: BASE });
  await page.goto(host.url);
  await untilOffline(page);
  const first = await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL);
  await expect(page.getByText('A new version is ready')).toHaveCount(0);

  // A new build: another sw.js (its precompressed copies dropped so the new bytes are sent).
  const sw = path.join(copy, 'sw.js');
  writeFileSync(sw, `${readFileSync(sw, 'utf8')}\n// next version\n`);
  rmSync(`${sw}.br`, { force: true });
  rmSync(`${sw}.gz`, { force: true });
  await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update());

  const notice = page.getByRole('status').filter({ hasText: 'A new version is ready' });
  await expect(notice).toBeVisible();
  // Nothing reloaded by itself: the page still runs the old worker until the learner decides.
  expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toBe(first);
  const reloaded = page.waitForEvent('load');
  await notice.getByRole('button', { name: 'Reload' }).click();
  await reloaded;
  await expect(page.getByRole('region', { name: 'Frame inspector' })).toBeVisible();
  await expect(page.getByText('A new version is ready')).toHaveCount(0);
  const waiting = await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.waiting);
  expect(waiting).toBeNull();
});

test("under `serve`, the service worker leaves the server's endpoints and its header to the network", async ({
  page,
}) => {
  standalone = await startStandalone({ host: '127.0.0.1', port: 0, root: DIST });
  const encodings = new Map<string, { encoding: string | undefined; bytes: number }>();
  page.on('response', async (r) => {
    const headers = await r.allHeaders();
    encodings.set(new URL(r.url()).pathname, {
      encoding: headers['content-encoding'],
      bytes: Number(headers['content-length'] ?? 0),
    });
  });
  await page.goto(standalone.httpUrl);
  await untilOffline(page);
  // Every script comes as brotli, except the ones under 1 KB that the build leaves as they are.
  const plain = [...encodings].filter(
    ([p, r]) => p.endsWith('.js') && r.encoding !== 'br' && r.bytes >= 1024,
  );
  expect(plain).toEqual([]);
  const answers = await page.evaluate(async () => {
    const echo = await fetch('echo');
    const head = await fetch('.', { method: 'HEAD', cache: 'no-store' });
    return { echo: echo.status, server: head.headers.get('x-websocket-playground') };
  });
  // /echo answers 426 from the server (not the page from the cache); the mode probe still sees it.
  expect(answers).toEqual({ echo: 426, server: '1' });
  await page.reload();
  await expect(page.getByRole('group', { name: 'Transport for new connections' })).toHaveAttribute(
    'data-mode',
    'server',
  );
});
