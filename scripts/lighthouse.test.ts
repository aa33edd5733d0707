import { mkdtempSync, rmSync, utimesSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { figuresOf, formatFigures, medianFigures, needsBuild, type LighthouseResult } from './lighthouse.ts';

function lhr(perf: number, lcp: number, failingA11y = false): LighthouseResult {
  const cat = (score: number, ids: string[]) => ({
    title: '',
    score,
    auditRefs: ids.map((id) => ({ id, weight: 1 })),
  });
  return {
    categories: {
      performance: cat(perf, ['largest-contentful-paint']),
      accessibility: cat(failingA11y ? 0.9 : 1, ['color-contrast']),
      'best-practices': cat(1, []),
      seo: cat(1, []),
    },
    audits: {
      'first-contentful-paint': { title: 'FCP', score: 1, numericValue: 900 },
      'largest-contentful-paint': { title: 'LCP', score: 0.9, numericValue: lcp, displayValue: `${lcp} ms` },
      'total-blocking-time': { title: 'TBT', score: 1, numericValue: 40 },
      'cumulative-layout-shift': { title: 'CLS', score: 1, numericValue: 0.01 },
      'color-contrast': {
        title: 'Background and foreground colors have a sufficient contrast ratio',
        score: failingA11y ? 0 : 1,
      },
    },
  };
}

describe('figuresOf', () => {
  it('reads the scores as percentages, the metrics in ms, and the audits below full marks', () => {
    const f = figuresOf(lhr(0.97, 1800, true));
    expect(f).toMatchObject({
      performance: 97,
      accessibility: 90,
      bestPractices: 100,
      seo: 100,
      lcp: 1800,
      tbt: 40,
    });
    expect(f.failing).toEqual([
      'performance: LCP (1800 ms)',
      'accessibility: Background and foreground colors have a sufficient contrast ratio',
    ]);
  });

  it("fails with Lighthouse's own message when the run failed", () => {
    expect(() => figuresOf({ ...lhr(1, 1), runtimeError: { code: 'NO_FCP', message: 'no paint' } })).toThrow(
      'Lighthouse failed: NO_FCP: no paint',
    );
  });
});

describe('medianFigures', () => {
  it('takes each figure’s median over the runs', () => {
    const runs = [lhr(0.9, 3000), lhr(0.99, 1500), lhr(0.95, 2000)].map(figuresOf);
    const m = medianFigures(runs);
    expect([m.performance, m.lcp]).toEqual([95, 2000]);
    expect(formatFigures(m, 3)).toContain('median of 3 runs');
    expect(formatFigures(m, 3)).toContain('LCP           2.00 s');
  });
});

describe('needsBuild', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('builds when dist has no index.html or a source is newer, not otherwise', () => {
    dir = mkdtempSync(join(tmpdir(), 'wsp-lh-'));
    const dist = join(dir, 'dist');
    const src = join(dir, 'app');
    mkdirSync(src);
    writeFileSync(join(src, 'a.ts'), '');
    expect(needsBuild(dist, [src])).toBe(true);
    mkdirSync(dist);
    writeFileSync(join(dist, 'index.html'), '');
    utimesSync(join(src, 'a.ts'), new Date(1000), new Date(1000));
    expect(needsBuild(dist, [src])).toBe(false);
    utimesSync(join(src, 'a.ts'), new Date(), new Date(Date.now() + 60_000));
    expect(needsBuild(dist, [src])).toBe(true);
  });
});
