/**
 * What the built site costs on the wire (not a test): the five largest assets raw, brotli and
 * gzip; what one student pulls cold with the code panel open (measured in Chromium: the page,
 * then the code panel unfolded until its editor and console are ready); and the whole build,
 * which the service worker precaches after the first load. Needs `npm run build` first.
 *
 *   npx tsx scripts/wire-size.ts [dist]
 */
import { chromium } from '@playwright/test';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { chromiumLaunchOptions } from './browser.ts';
import { listFiles } from './precompress.ts';
import { startStaticHost } from './static-host.ts';

interface Sizes {
  file: string;
  raw: number;
  br: number;
  gz: number;
}

/** A file's size as sent raw, as brotli and as gzip (its own size when it has no sibling). */
function sizesOf(file: string): Sizes {
  const raw = statSync(file).size;
  const sibling = (suffix: string): number =>
    existsSync(file + suffix) ? statSync(file + suffix).size : raw;
  return { file, raw, br: sibling('.br'), gz: sibling('.gz') };
}

function total(list: Sizes[]): Sizes {
  return list.reduce((t, s) => ({ file: t.file, raw: t.raw + s.raw, br: t.br + s.br, gz: t.gz + s.gz }), {
    file: 'total',
    raw: 0,
    br: 0,
    gz: 0,
  });
}

const kb = (n: number): string => `${(n / 1024).toLocaleString('en', { maximumFractionDigits: 0 })} KB`;
const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(0)} MB`;
const pct = (part: number, whole: number): string => `${((100 * part) / whole).toFixed(1)}%`;

function row(name: string, s: Sizes): string {
  return `| ${name} | ${kb(s.raw)} | ${kb(s.br)} (${pct(s.br, s.raw)}) | ${kb(s.gz)} (${pct(s.gz, s.raw)}) |`;
}

/** The files Chromium fetched for the page with the code panel opened (no service worker). */
async function codePanelFiles(dist: string): Promise<string[]> {
  const host = await startStaticHost({ dir: dist, base: '/playground/' });
  const browser = await chromium.launch(chromiumLaunchOptions());
  try {
    const context = await browser.newContext({ serviceWorkers: 'block' });
    const page = await context.newPage();
    await page.goto(host.url);
    const fold = page.locator('#panel-code').getByRole('button', { name: 'Code', exact: true });
    if ((await fold.getAttribute('aria-expanded')) === 'false') await fold.click();
    await page.locator('#panel-code .editor[data-status="ready"]').waitFor({ timeout: 60_000 });
    await page.locator('#panel-code .xterm').waitFor({ state: 'attached', timeout: 60_000 });
    await page.waitForLoadState('networkidle');
    const paths = host.seen.filter((s) => s.method === 'GET' && s.status === 200).map((s) => s.path);
    return [...new Set(paths)].map((p) => {
      const rel = p.slice('/playground/'.length);
      return path.join(dist, rel === '' ? 'index.html' : rel);
    });
  } finally {
    await browser.close();
    await host.close();
  }
}

async function main(dist = 'dist'): Promise<void> {
  const files = (await listFiles(dist)).filter((f) => !/\.(br|gz)$/.test(f)).map(sizesOf);
  const header = '| file | raw | brotli | gzip |\n| --- | --- | --- | --- |';
  const largest = [...files].sort((a, b) => b.raw - a.raw).slice(0, 5);
  console.log(`Five largest assets\n\n${header}`);
  for (const s of largest) console.log(row(path.relative(dist, s.file), s));
  console.log(row('**five largest**', total(largest)));

  const cold = (await codePanelFiles(dist)).map(sizesOf);
  const all = total(files);
  console.log(`\nOne student, cold\n\n${header}`);
  console.log(row(`page + code panel open (${cold.length} files)`, total(cold)));
  console.log(row(`whole build, precached by the service worker (${files.length} files)`, all));
  console.log(
    `\nA class of 100, whole build each: ${mb(all.raw * 100)} raw, ${mb(all.br * 100)} brotli, ${mb(all.gz * 100)} gzip`,
  );
}

await main(process.argv[2]);
