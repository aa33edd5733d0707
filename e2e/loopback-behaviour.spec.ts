/**
 * The behaviour suite (e2e/behaviour/scenarios.ts) in Chromium, on both transports: the
 * browser's own WebSocket talking to our Node server, and LoopbackWebSocket on the virtual
 * network. Each scenario's trace must equal its expected value on both.
 */
import { expect, test } from '@playwright/test';
import { nativeServer, type NativeServer } from './behaviour/native-server.ts';
import { SCENARIOS } from './behaviour/scenarios.ts';
import { inSuitePage } from './behaviour/suite-page.ts';

let native: NativeServer;

test.beforeAll(async () => {
  native = await nativeServer(String(test.info().project.use.baseURL));
});
test.afterAll(async () => {
  await native?.stop();
});

for (const scenario of SCENARIOS) {
  test(`native WebSocket: ${scenario.name}`, async ({ page }) => {
    const base = scenario.refusesUnknownPaths ? await native.refusing() : native.base;
    test.info().annotations.push({ type: 'server', description: `${native.kind}: ${base}` });
    const trace = await inSuitePage(page, () =>
      page.evaluate(([name, base]) => window.__wspBehaviour!.runScenario(name, { kind: 'native', base }), [
        scenario.name,
        base,
      ] as const),
    );
    expect(trace).toEqual('chromium' in scenario ? scenario.chromium : scenario.expected);
  });

  test(`LoopbackWebSocket: ${scenario.name}`, async ({ page }) => {
    const trace = await inSuitePage(page, () =>
      page.evaluate((name) => window.__wspBehaviour!.runScenario(name, { kind: 'loopback' }), scenario.name),
    );
    expect(trace).toEqual(scenario.expected);
  });
}
