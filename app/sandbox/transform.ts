/**
 * Turns the learner's module syntax into what the sandbox evaluates: a function body with
 * `require`, `module` and `exports` (as Node runs a CommonJS module), keeping every line where
 * it was so stack traces point at the editor's lines without a source map.
 *
 *   import WebSocket, { WebSocketServer as S } from 'ws';  ->  const WebSocket = require('ws'), { WebSocketServer: S } = WebSocket;
 *   import * as ws from 'ws';                               ->  const ws = require('ws');
 *   import 'ws';                                            ->  require('ws');
 *   export const x = 1;                                     ->  const x = 1;
 *
 * Only static imports at the start of a line are rewritten; a multi-line import keeps its
 * line count (the statement goes on its first line, blank lines follow).
 */

const IMPORT = /^([ \t]*)import\s+(?:(type)\s+)?([\w$*{][^;'"]*?)\s+from\s+(['"])([^'"\n]+)\4[ \t]*;?/gm;
const BARE_IMPORT = /^([ \t]*)import\s+(['"])([^'"\n]+)\2[ \t]*;?/gm;
const EXPORT_DECL = /^([ \t]*)export\s+(?=(?:async\s+)?(?:const|let|var|function|class)\b)/gm;
const EXPORT_DEFAULT = /^([ \t]*)export\s+default\s+/gm;

/** `{ a, b as c }` -> `{ a, b: c }` */
function namedBindings(spec: string): string {
  const inner = spec.trim().replace(/^\{|\}$/g, '');
  const parts = inner
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p && !p.startsWith('type '))
    .map((p) => {
      const m = /^([\w$]+)\s+as\s+([\w$]+)$/.exec(p);
      return m ? `${m[1]}: ${m[2]}` : p;
    });
  return `{ ${parts.join(', ')} }`;
}

function importStatement(clause: string, source: string): string {
  const req = `require(${JSON.stringify(source)})`;
  const c = clause.trim();
  const ns = /^\*\s+as\s+([\w$]+)$/.exec(c);
  if (ns) return `const ${ns[1]} = ${req};`;
  if (c.startsWith('{')) return `const ${namedBindings(c)} = ${req};`;
  const both = /^([\w$]+)\s*,\s*(\{[\s\S]*\}|\*\s+as\s+[\w$]+)$/.exec(c);
  if (both) {
    const def = both[1]!;
    const rest = both[2]!;
    const nsRest = /^\*\s+as\s+([\w$]+)$/.exec(rest);
    return nsRest
      ? `const ${def} = ${req}, ${nsRest[1]} = ${def};`
      : `const ${def} = ${req}, ${namedBindings(rest)} = ${def};`;
  }
  return `const ${c} = ${req};`;
}

const keepLines = (original: string, replacement: string): string =>
  replacement + '\n'.repeat((original.match(/\n/g) ?? []).length);

export function toCommonJs(code: string): string {
  return code
    .replace(IMPORT, (all, indent: string, type: string | undefined, clause: string, _q, source: string) =>
      keepLines(all, type ? indent : indent + importStatement(clause, source)),
    )
    .replace(BARE_IMPORT, (all, indent: string, _q, source: string) =>
      keepLines(all, `${indent}require(${JSON.stringify(source)});`),
    )
    .replace(EXPORT_DECL, '$1')
    .replace(EXPORT_DEFAULT, '$1module.exports.default = ');
}
