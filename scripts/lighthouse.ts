/**
 * Lighthouse (mobile, its default throttling) on the built site as `npm run serve` serves it:
 *   npm run lighthouse [-- --runs N] [-- --url http://host:port/]
 *
 * Builds first when dist/ is missing or older than the sources, starts `npm run serve` on a free
 * loopback port, runs Lighthouse 12 with Debian's Chromium (CHROME_PATH, /usr/bin/chromium by
 * default), prints performance, LCP, TBT, CLS, accessibility, best practices and SEO (the median
 * of N runs) and every audit that keeps a category from 100. Not part of `npm test`: Lighthouse
 * is not a dependency, `npx --yes lighthouse@12` fetches it on first use.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

export const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'] as const;

/** The parts of Lighthouse's result (LHR) this script reads. */
export interface LighthouseResult {
  categories: Record<
    string,
    { title: string; score: number | null; auditRefs: { id: string; weight: number }[] }
  >;
  audits: Record<
    string,
    { title: string; score: number | null; numericValue?: number; displayValue?: string }
  >;
  runtimeError?: { code: string; message: string };
}

export interface Figures {
  performance: number;
  accessibility: number;
  bestPractices: number;
  seo: number;
  /** Milliseconds. */
  fcp: number;
  lcp: number;
  tbt: number;
  cls: number;
  /** Audits below full marks that count towards a category: `category: title (display value)`. */
  failing: string[];
}

const score = (lhr: LighthouseResult, id: string): number =>
  Math.round((lhr.categories[id]?.score ?? 0) * 100);
const metric = (lhr: LighthouseResult, id: string): number => lhr.audits[id]?.numericValue ?? Number.NaN;

/** The figures of one Lighthouse run; throws with Lighthouse's own message when the run failed. */
export function figuresOf(lhr: LighthouseResult): Figures {
  if (lhr.runtimeError)
    throw new Error(`Lighthouse failed: ${lhr.runtimeError.code}: ${lhr.runtimeError.message}`);
  const failing: string[] = [];
  for (const id of CATEGORIES) {
    const category = lhr.categories[id];
    if (!category) throw new Error(`Lighthouse's result has no ${id} category`);
    for (const ref of category.auditRefs) {
      const audit = lhr.audits[ref.id];
      if (!audit || ref.weight === 0 || audit.score === null || audit.score >= 1) continue;
      failing.push(`${id}: ${audit.title}${audit.displayValue ? ` (${audit.displayValue})` : ''}`);
    }
  }
  return {
    performance: score(lhr, 'performance'),
    accessibility: score(lhr, 'accessibility'),
    bestPractices: score(lhr, 'best-practices'),
    seo: score(lhr, 'seo'),
    fcp: metric(lhr, 'first-contentful-paint'),
    lcp: metric(lhr, 'largest-contentful-paint'),
    tbt: metric(lhr, 'total-blocking-time'),
    cls: metric(lhr, 'cumulative-layout-shift'),
    failing,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Each figure's median over several runs (the failing audits of them all, once each). */
export function medianFigures(runs: readonly Figures[]): Figures {
  if (runs.length === 0) throw new Error('no Lighthouse run to summarise');
  const of = (key: Exclude<keyof Figures, 'failing'>): number => median(runs.map((r) => r[key]));
  return {
    performance: of('performance'),
    accessibility: of('accessibility'),
    bestPractices: of('bestPractices'),
    seo: of('seo'),
    fcp: of('fcp'),
    lcp: of('lcp'),
    tbt: of('tbt'),
    cls: of('cls'),
    failing: [...new Set(runs.flatMap((r) => r.failing))],
  };
}

export function formatFigures(f: Figures, runs: number): string {
  const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
  const lines = [
    `Lighthouse 12, mobile (default throttling)${runs > 1 ? `, median of ${runs} runs` : ''}:`,
    `  performance     ${f.performance}`,
    `    FCP           ${s(f.fcp)}`,
    `    LCP           ${s(f.lcp)}`,
    `    TBT           ${Math.round(f.tbt)} ms`,
    `    CLS           ${f.cls.toFixed(3)}`,
    `  accessibility   ${f.accessibility}`,
    `  best practices  ${f.bestPractices}`,
    `  SEO             ${f.seo}`,
  ];
  if (f.failing.length) lines.push('Below full marks:', ...f.failing.map((line) => `  ${line}`));
  return lines.join('\n');
}

/** The newest modification time (ms) of the files under `paths` (directories walked). */
export function newestMtime(paths: readonly string[]): number {
  let newest = 0;
  const visit = (path: string): void => {
    if (!existsSync(path)) return;
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const name of readdirSync(path)) if (name !== 'node_modules') visit(join(path, name));
    } else newest = Math.max(newest, stat.mtimeMs);
  };
  paths.forEach(visit);
  return newest;
}

/** dist/ needs building when it has no index.html or a source is newer than it. */
export function needsBuild(dist: string, sources: readonly string[]): boolean {
  const index = join(dist, 'index.html');
  return !existsSync(index) || newestMtime(sources) > statSync(index).mtimeMs;
}

/** Starts `npm run serve` on a free loopback port; resolves to its URL once it listens. */
function serve(): Promise<{ url: string; server: ChildProcess }> {
  // Its own process group, so stopping it stops npm's child (tsx) too.
  const server = spawn('npm', ['run', 'serve', '--', '--host', '127.0.0.1', '--port', '0', '--quiet'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(
      () => reject(new Error(`npm run serve did not listen within 60 s:\n${out}`)),
      60_000,
    );
    server.on('exit', (code) =>
      reject(new Error(`npm run serve exited (${code}) before listening:\n${out}`)),
    );
    server.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const listening = /listening on (http:\/\/\S+)/.exec(out);
      if (listening) {
        clearTimeout(timer);
        resolve({ url: listening[1]!.replace(/\/?$/, '/'), server });
      }
    });
  });
}

function stop(server: ChildProcess): void {
  if (server.pid === undefined || server.exitCode !== null) return;
  try {
    process.kill(-server.pid, 'SIGTERM');
  } catch {
    // already gone
  }
}

function runLighthouse(url: string, out: string): LighthouseResult {
  const result = spawnSync(
    'npx',
    [
      '--yes',
      'lighthouse@12',
      url,
      '--output=json',
      `--output-path=${out}`,
      `--only-categories=${CATEGORIES.join(',')}`,
      '--chrome-flags=--headless=new --no-sandbox --disable-gpu',
      '--quiet',
    ],
    {
      stdio: 'inherit',
      env: { ...process.env, CHROME_PATH: process.env.CHROME_PATH ?? '/usr/bin/chromium' },
    },
  );
  if (result.status !== 0 || !existsSync(out))
    throw new Error(`Lighthouse exited with ${result.status ?? result.signal}`);
  return JSON.parse(readFileSync(out, 'utf8')) as LighthouseResult;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { runs: { type: 'string', default: '1' }, url: { type: 'string' } },
  });
  const runs = Math.max(1, Number(values.runs) || 1);
  let server: ChildProcess | undefined;
  const work = mkdtempSync(join(tmpdir(), 'wsp-lighthouse-'));
  const cleanup = (): void => {
    if (server) stop(server);
    rmSync(work, { recursive: true, force: true });
  };
  process.on('SIGINT', () => (cleanup(), process.exit(130)));
  try {
    let url = values.url;
    if (!url) {
      if (needsBuild('dist', ['app', 'lessons', 'public', 'index.html', 'vite.config.ts'])) {
        console.log('dist/ is missing or older than the sources: npm run build');
        const build = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' });
        if (build.status !== 0) throw new Error('npm run build failed');
      }
      ({ url, server } = await serve());
    }
    console.log(`Lighthouse on ${url}`);
    const figures: Figures[] = [];
    for (let i = 0; i < runs; i++) figures.push(figuresOf(runLighthouse(url, join(work, `run-${i}.json`))));
    console.log(formatFigures(medianFigures(figures), runs));
  } finally {
    cleanup();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
