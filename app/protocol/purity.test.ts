/// <reference types="node" />
/**
 * The engine's house rules, checked on its source: no DOM, no Node, no clocks, no randomness
 * of its own, imports only from this folder (the rule the README's "Layout of the code" states,
 * so the same engine runs in Node, the page and the sandbox). Test files and the ws typings are exempt.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const sources = readdirSync(here).filter(
  (f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts') && f !== 'test-helpers.ts',
);

/** Source without comments and string contents, so prose like "Date.now" in a doc comment is fine. */
function code(file: string): string {
  return readFileSync(join(here, file), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/.*$/gm, '');
}

const FORBIDDEN: Array<[string, RegExp]> = [
  ['Node Buffer', /\bBuffer\b/],
  ['process', /\bprocess\./],
  ['require', /\brequire\(/],
  ['DOM window/document', /\b(window|document|navigator|location)\./],
  ['a clock', /\b(Date\.now|new Date|performance\.now)\b/],
  ['randomness', /\b(Math\.random|crypto\.|getRandomValues)\b/],
  ['timers', /\b(setTimeout|setInterval|queueMicrotask|setImmediate)\b/],
];

/**
 * A fatal TextDecoder says only that text is invalid, not where: the engine uses one only in
 * message.ts, where Utf8Validator then names the bad byte (§8.1 errors carry its offset).
 */
const FATAL_DECODER = /fatal\s*:/;
const FATAL_DECODER_ALLOWED = ['message.ts'];

describe('engine purity', () => {
  it('has the modules it should', () => {
    for (const m of [
      'opcodes.ts',
      'close-codes.ts',
      'errors.ts',
      'utf8.ts',
      'mask.ts',
      'frame.ts',
      'decoder.ts',
      'message.ts',
      'close.ts',
      'sha1.ts',
      'base64.ts',
      'http.ts',
      'handshake.ts',
      'connection.ts',
      'annotate.ts',
      'summary.ts',
      'index.ts',
    ]) {
      expect(sources).toContain(m);
    }
  });

  for (const file of sources) {
    it(`${file} imports only from this folder and uses no DOM, Node, clock or randomness`, () => {
      const src = code(file);
      const imports = [...src.matchAll(/\b(?:from|import)\s+'([^']+)'/g)].map((m) => m[1]!);
      for (const spec of imports) expect(spec, `${file} imports ${spec}`).toMatch(/^\.\/[\w-]+\.ts$/);
      expect(src, `${file} uses a dynamic import`).not.toMatch(/\bimport\(/);
      // Prose inside strings ("too big to process.") is not code.
      const bare = src.replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g, "''");
      for (const [what, re] of FORBIDDEN) expect(re.test(bare), `${file} uses ${what}`).toBe(false);
      if (!FATAL_DECODER_ALLOWED.includes(file))
        expect(FATAL_DECODER.test(bare), `${file} uses a fatal TextDecoder`).toBe(false);
    });
  }

  it('the checks catch what they look for', () => {
    expect(FORBIDDEN.some(([, re]) => re.test('const b = Buffer.from(x)'))).toBe(true);
    expect(FORBIDDEN.some(([, re]) => re.test('const t = Date.now()'))).toBe(true);
    expect(FATAL_DECODER.test('new TextDecoder("utf-8", { fatal: true })')).toBe(true);
  });
});
