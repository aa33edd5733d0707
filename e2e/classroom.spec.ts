/**
 * The classroom in Chromium: a standalone server in classroom mode serving the built site
 * (dist/, so `npm run build` first: npm test builds before the e2e run), student pages, and the
 * instructor's dashboard (`#teacher=SECRET`).
 */
import { expect, test, type Browser, type Page } from '@playwright/test';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { WebSocket } from 'ws';
import { createClassroomHost } from '../app/server/classroom.ts';
import { makeTestCertificate, type TestCertificate } from '../app/server/test-cert.ts';
import {
  DEFAULT_ROOT,
  startStandalone,
  type Standalone,
  type StandaloneOptions,
} from '../app/server/standalone.ts';

const SECRET = 'e2e-classroom-secret';
let server: Standalone;

async function start(options: Partial<StandaloneOptions> = {}, classroom = true): Promise<Standalone> {
  if (!existsSync(path.join(DEFAULT_ROOT, 'index.html')))
    throw new Error('dist/ is not built: run npm run build before this spec');
  server = await startStandalone({
    host: '127.0.0.1',
    port: 0,
    closeTimeout: 1_000,
    ...(classroom ? { classroom: createClassroomHost({ secret: SECRET }) } : {}),
    ...options,
  });
  return server;
}

test.afterEach(async () => {
  await server?.stop();
});

async function dashboard(browser: Browser, secret = SECRET): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  await page.goto(`${server.httpUrl}#teacher=${secret}`);
  return page;
}

async function student(browser: Browser, hash = ''): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  await page.goto(`${server.httpUrl}${hash}`);
  await expect(page.getByTestId('privacy-notice')).toHaveAttribute('data-mode', 'classroom');
  return page;
}

test('the dashboard refuses a link without the secret or with a wrong one, clearly', async ({ browser }) => {
  await start();
  for (const secret of ['', 'not-the-secret']) {
    const page = await browser.newPage();
    await page.goto(`${server.httpUrl}#teacher=${secret}`);
    await expect(page.getByTestId('refusal')).toContainText(
      "This dashboard link's secret is wrong or missing",
    );
    await expect(page.getByTestId('student-row')).toHaveCount(0);
    await page.close();
  }
});

test("a student's name and progress appear live on the dashboard", async ({ browser }) => {
  await start();
  const dash = await dashboard(browser);
  await expect(dash.getByTestId('student-count')).toHaveText('0 student(s) online');
  const s = await student(browser);
  await s.getByRole('button', { name: 'change name' }).click();
  await s.getByLabel('Your name').fill('Ada L');
  await s.getByRole('button', { name: 'Save' }).click();
  const row = dash.locator('[data-testid=student-row][data-student="Ada L"]');
  await expect(row).toBeVisible();
  await expect(row.getByTestId('where')).toContainText('lesson list');
  await s.evaluate(() => (location.hash = '#lesson=masking'));
  await expect(row.getByTestId('where')).toContainText(/Masking, step 1\/\d+/);
  await s.keyboard.press('Alt+ArrowRight');
  await expect(row.getByTestId('where')).toContainText(/Masking, step 2\/\d+/);
  // The dashboard's own socket is in its inspector, like any lab connection.
  await dash.getByRole('tab', { name: 'Traffic (inspector)' }).click();
  await expect(dash.getByText('/__classroom/dashboard', { exact: false }).first()).toBeVisible();
});

test('an announcement and a go-to-step reach every student page, and the player moves', async ({
  browser,
}) => {
  await start();
  const dash = await dashboard(browser);
  const pages = [await student(browser), await student(browser, '#lesson=handshake')];
  await expect(dash.getByTestId('student-row')).toHaveCount(2);
  await dash.getByLabel('Announcement to every student').fill('Break until 11:00');
  await dash.getByRole('button', { name: 'Send' }).click();
  for (const p of pages) await expect(p.getByTestId('announcement')).toContainText('Break until 11:00');
  await dash.getByLabel('Lesson').selectOption('masking');
  await dash.getByLabel('step').fill('2');
  await dash.getByRole('button', { name: 'Go' }).click();
  for (const p of pages) {
    await expect(p.getByTestId('announcement')).toContainText('lesson "masking", step 2');
    await expect.poll(() => p.evaluate(() => location.hash)).toMatch(/lesson=masking\/.+/);
  }
  await expect(dash.getByTestId('where')).toHaveText([/Masking, step 2/, /Masking, step 2/]);
});

test('muting a student stops their /chat messages reaching the room, and they are told', async ({
  browser,
}) => {
  await start();
  const dash = await dashboard(browser);
  const s = await student(browser);
  // Another laptop in the room (a different address), listening.
  const other = new WebSocket(`ws://127.0.0.1:${server.port}/chat`, { localAddress: '127.0.0.2' });
  const heard: string[] = [];
  other.on('message', (d) => heard.push(d.toString()));
  await new Promise((r) => other.once('open', r));
  const chat = (text: string) =>
    s.evaluate(
      (text) =>
        new Promise<string>((resolve) => {
          const ws = new WebSocket(new URL('chat', location.href).href.replace(/^http/, 'ws'));
          ws.onopen = () => ws.send(text);
          ws.onmessage = (e) => {
            const d = String(e.data);
            if (d === text || d.includes('"moderation"')) {
              ws.close();
              resolve(d);
            }
          };
        }),
      text,
    );
  expect(await chat('before mute')).toBe('before mute');
  await dash.getByTestId('student-row').getByRole('button', { name: 'Mute' }).click();
  await expect(dash.getByTestId('student-row').getByRole('button', { name: 'Unmute' })).toBeVisible();
  expect(await chat('while muted')).toContain('muted');
  await expect(dash.getByTestId('chat-lines')).toContainText('before mute');
  await expect(dash.getByTestId('chat-lines')).not.toContainText('while muted');
  other.close();
  expect(heard).toContain('before mute');
  expect(heard).not.toContain('while muted');
  await expect(dash.getByTestId('chat-limits')).toContainText('20 messages/s (over: close 1008)');
});

test('on serve (no classroom) the page says its progress stays in the browser and opens no classroom socket', async ({
  page,
}) => {
  await start({}, false);
  const sockets: string[] = [];
  page.on('websocket', (ws) => sockets.push(ws.url()));
  await page.goto(`${server.httpUrl}#lesson=masking`);
  await expect(page.getByTestId('privacy-notice')).toHaveText('Progress stays in this browser');
  await expect(page.getByRole('heading', { name: /Masking/ }).first()).toBeVisible();
  await page.waitForTimeout(1_000);
  expect(sockets.filter((u) => u.includes('__classroom'))).toEqual([]);
});

test.describe('over TLS', () => {
  let made: TestCertificate;
  test.beforeAll(() => {
    made = makeTestCertificate();
  });
  test.afterAll(() => made.remove());

  test('Chromium loads the page over https, its sockets use wss, and the dashboard works', async ({
    browser,
  }) => {
    await start({
      tls: { cert: made.cert, key: made.key },
    });
    expect(server.httpUrl).toMatch(/^https:/);
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    const sockets: string[] = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));
    await page.goto(server.httpUrl);
    await expect(page.getByTestId('privacy-notice')).toHaveAttribute('data-mode', 'classroom');
    const echoed = await page.evaluate(
      () =>
        new Promise<string>((resolve, reject) => {
          const ws = new WebSocket(new URL('echo', location.href).href.replace(/^https/, 'wss'));
          ws.onopen = () => ws.send('secure hello');
          ws.onmessage = (e) => resolve(String(e.data));
          ws.onerror = () => reject(new Error('wss failed'));
        }),
    );
    expect(echoed).toBe('secure hello');
    expect(sockets.some((u) => u.startsWith('wss://') && u.includes('/__classroom'))).toBe(true);
    const dash = await context.newPage();
    await dash.goto(`${server.httpUrl}#teacher=${SECRET}`);
    await expect(dash.getByTestId('student-row')).toHaveCount(1);
    await context.close();
  });
});
