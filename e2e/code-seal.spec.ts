/**
 * The sandbox sealed (issue 17): hostile or careless code in the code panel cannot take the
 * page down, escape the watchdog, or flood the page.
 */
import { expect, test } from '@playwright/test';
import { codePanel, consoleLog, openCode, run, setCode } from './code-helpers.ts';

test.describe.configure({ timeout: 90_000 });

test('a runaway allocation is stopped as "out of memory", not as a loop, and the page survives', async ({
  page,
}) => {
  let crashed = false;
  page.on('crash', () => (crashed = true));
  await openCode(page);
  // issue 17's snippet, as written: without the meter the tab dies after ~14 s at ~3.9 GB.
  await setCode(
    page,
    'const a=[]; setInterval(()=>{for(let i=0;i<10;i++)a.push(new Array(1<<20).fill(1.5))},20);\n',
  );
  const started = Date.now();
  await run(page);
  await expect(consoleLog(page)).toContainText('stopped: out of memory', { timeout: 20_000 });
  const stoppedMs = Date.now() - started;
  await expect(consoleLog(page)).not.toContainText('endless loop');
  await expect(page.locator('iframe[data-sandbox]')).toHaveCount(0);
  await expect(codePanel(page).getByRole('tab', { name: /Connect and log events/ })).toHaveAttribute(
    'title',
    /out of memory/,
  );
  // Its memory went with the worker: the page's renderer is back to its size before the run.
  // The figures for the report: how long the bomb ran, and the page's JS heap once it is gone.
  const client = await page.context().newCDPSession(page);
  await client.send('Performance.enable');
  const { metrics } = await client.send('Performance.getMetrics');
  const heapMb = Math.round((metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0) / 1e6);
  test.info().annotations.push({
    type: 'figures',
    description: `stopped after ${stoppedMs} ms; page JS heap ${heapMb} MB`,
  });
  console.log(`memory bomb: stopped ${stoppedMs} ms after Run; page JS heap after: ${heapMb} MB`);
  await setCode(page, "console.log('alive again');\n");
  await run(page);
  await expect(consoleLog(page)).toContainText('alive again');
  expect(crashed).toBe(false);
});

test('a synchronous allocation loop is stopped at the allocation that crossed the limit', async ({
  page,
}) => {
  await openCode(page);
  await setCode(page, 'const a = [];\nwhile (true) a.push(new Array(1 << 20).fill(1.5));\n');
  await run(page);
  await expect(consoleLog(page)).toContainText('stopped: out of memory', { timeout: 20_000 });
  await expect(page.locator('iframe[data-sandbox]')).toHaveCount(0);
});

test('learner code cannot start a worker, load a script or find the native WebSocket: each route is closed', async ({
  page,
}) => {
  await openCode(page);
  await setCode(
    page,
    [
      "const tryIt = (name, fn) => { try { const r = fn(); console.log(name, '=> ran:', String(r)); } catch (e) { console.log(name, '=> blocked:', e.name, e.message); } };",
      "const blob = URL.createObjectURL(new Blob(['postMessage(1)'], { type: 'text/javascript' }));",
      "tryIt('new Worker', () => new Worker(blob));",
      "tryIt('self.Worker', () => new self.Worker(blob));",
      "tryIt('delete Worker', () => { delete self.Worker; self.Worker = function () { return 'mine'; }; return new Worker(blob); });",
      "tryIt('SharedWorker', () => new SharedWorker(blob));",
      "tryIt('importScripts', () => importScripts(blob));",
      "tryIt('WebSocketStream', () => new WebSocketStream('ws://127.0.0.1/echo'));",
      "tryIt('constructor chain', () => Object.getPrototypeOf(self).constructor.name);",
      "const ws = new WebSocket('/echo');",
      "tryIt('native constructor', () => ws.constructor === WebSocket);",
      "fetch(blob).then(r => r.text()).then(t => console.log('fetch blob => ran:', t), (e) => console.log('fetch blob => blocked:', e.name));",
    ].join('\n'),
  );
  await run(page);
  const log = consoleLog(page);
  await expect(log).toContainText('fetch blob =>');
  await expect(log).toContainText(
    'new Worker => blocked: TypeError Worker is not available in the playground: your code runs in one sandboxed worker',
  );
  await expect(log).toContainText('self.Worker => blocked: TypeError Worker is not available');
  await expect(log).toContainText('delete Worker => blocked: TypeError Worker is not available');
  await expect(log).toContainText(
    /SharedWorker => blocked: (TypeError SharedWorker is not available|ReferenceError)/,
  );
  await expect(log).toContainText('importScripts => blocked: TypeError importScripts is not available');
  await expect(log).toContainText(
    /WebSocketStream => blocked: (TypeError WebSocketStream is not available|ReferenceError)/,
  );
  await expect(log).toContainText('constructor chain => ran: DedicatedWorkerGlobalScope');
  await expect(log).toContainText('native constructor => ran: true');
  await expect(log).toContainText('fetch blob => blocked: TypeError');
  await expect(log).not.toContainText('=> ran: [object Worker]');
});
