/**
 * `npm test`: the whole suite, in the order that fails fastest for the cheapest reason:
 * type check, lint, unit tests (Vitest), production build with the size budget, e2e (Playwright
 * in Chromium). Every step runs even when an earlier one failed, so one run shows everything;
 * the last line is `N passed, N failed` with the real totals (checks count one each).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { ensureBrowser } from './ensure-browser.ts';

interface Tally {
  name: string;
  passed: number;
  failed: number;
  skipped: number;
  note?: string;
}
const tallies: Tally[] = [];

function run(cmd: string, args: string[], env: Record<string, string> = {}): boolean {
  console.log(`\n▶ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status === 0;
}

function check(name: string, cmd: string, args: string[], env?: Record<string, string>): boolean {
  const ok = run(cmd, args, env);
  tallies.push({ name, passed: ok ? 1 : 0, failed: ok ? 0 : 1, skipped: 0 });
  return ok;
}

function readJson<T>(path: string): T | undefined {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as T) : undefined;
}

rmSync('test-results', { recursive: true, force: true });

check('type check', 'npm', ['run', '--silent', 'check']);
check('lint', 'npm', ['run', '--silent', 'lint']);

{
  const ok = run('npx', [
    'vitest',
    'run',
    '--reporter=default',
    '--reporter=json',
    '--outputFile.json=test-results/unit.json',
  ]);
  const r = readJson<{
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numTodoTests: number;
  }>('test-results/unit.json');
  const t: Tally = {
    name: 'unit (vitest)',
    passed: r?.numPassedTests ?? 0,
    failed: r?.numFailedTests ?? 1,
    skipped: (r?.numPendingTests ?? 0) + (r?.numTodoTests ?? 0),
  };
  if (!ok && t.failed === 0) t.failed = 1; // a suite that crashed before reporting is a failure
  tallies.push(t);
}

const built = check('build + size budget', 'npm', ['run', '--silent', 'build']);

{
  let browser: string | undefined;
  try {
    browser = ensureBrowser();
  } catch (e) {
    console.error(`\n✖ ${(e as Error).message}`);
  }
  if (!browser) {
    tallies.push({ name: 'e2e (playwright)', passed: 0, failed: 1, skipped: 0, note: 'no Chromium' });
  } else {
    console.log(`\nChromium for e2e: ${browser}`);
    const ok = run('npx', ['playwright', 'test'], {
      CI: process.env.CI ?? 'true',
      CHROMIUM_PATH: browser,
      ...(built ? { WSP_BUILT: '1' } : {}),
    });
    const r = readJson<{ stats: { expected: number; unexpected: number; flaky: number; skipped: number } }>(
      'test-results/e2e.json',
    );
    const t: Tally = {
      name: 'e2e (playwright)',
      passed: (r?.stats.expected ?? 0) + (r?.stats.flaky ?? 0),
      failed: r?.stats.unexpected ?? 1,
      skipped: r?.stats.skipped ?? 0,
    };
    if (!ok && t.failed === 0) t.failed = 1;
    tallies.push(t);
  }
}

console.log('\nSummary');
for (const t of tallies) {
  const extra = [t.skipped ? `${t.skipped} skipped` : '', t.note ?? ''].filter(Boolean).join(', ');
  console.log(`  ${t.name.padEnd(22)} ${t.passed} passed, ${t.failed} failed${extra ? ` (${extra})` : ''}`);
}
const suitesWithNoTest = tallies.filter((t) => t.passed + t.failed === 0);
for (const t of suitesWithNoTest) console.error(`  ✖ ${t.name} ran no test`);
const passed = tallies.reduce((n, t) => n + t.passed, 0);
const failed = tallies.reduce((n, t) => n + t.failed, 0) + suitesWithNoTest.length;
const skipped = tallies.reduce((n, t) => n + t.skipped, 0);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed === 0 ? 0 : 1);
