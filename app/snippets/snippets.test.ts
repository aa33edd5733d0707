/**
 * Every snippet is checked as the editor checks it: TypeScript with lib.dom (the browser's
 * WebSocket) and the sandbox's `ws` types, checkJs on. A snippet that does not type-check
 * would greet the learner with red squiggles.
 */
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { WS_TYPES } from '../sandbox/ws-types.ts';
import { SNIPPETS } from './index.ts';

/** Type-checks files (path -> code) in one program; diagnostics per file. */
function typeCheck(sources: Map<string, string>): Map<string, string[]> {
  const files = new Map([...sources, ['/ws-sandbox.d.ts', WS_TYPES]]);
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ESNext,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.esnext.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
    allowJs: true,
    checkJs: true,
    strict: false,
    esModuleInterop: true,
    // Every file is a module, as the editor is told (so top-level names stay local).
    moduleDetection: ts.ModuleDetectionKind.Force,
    noEmit: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const read = host.readFile.bind(host);
  host.readFile = (f) => files.get(f) ?? read(f);
  host.fileExists = (f) => files.has(f) || ts.sys.fileExists(f);
  const getSource = host.getSourceFile.bind(host);
  host.getSourceFile = (f, lang) =>
    files.has(f) ? ts.createSourceFile(f, files.get(f)!, lang) : getSource(f, lang);
  const program = ts.createProgram([...files.keys()], options, host);
  const out = new Map<string, string[]>([...files.keys()].map((f) => [f, []]));
  for (const d of ts.getPreEmitDiagnostics(program)) {
    if ([1375, 1378, 80001].includes(d.code)) continue; // top-level await is fine in the sandbox
    const file = d.file?.fileName ?? '(global)';
    const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
    const list = out.get(file) ?? [];
    list.push(`${file}:${line} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    out.set(file, list);
  }
  return out;
}

const BAD = [
  "import { WebSocketServer } from 'ws';",
  'const wss = new WebSocketServer({ port: 8080 });',
  "wss.on('connection', (ws) => ws.sendd('x'));",
  "const c = new WebSocket('/echo');",
  "c.binaryType = 'buffer';",
].join('\n');

// One program for all (lib.dom is big): checked once, read per snippet.
const results = typeCheck(
  new Map([...SNIPPETS.map((s) => [`/snippets/${s.id}.js`, s.code] as const), ['/bad.js', BAD]]),
);

describe('the snippet library', () => {
  it('the ambient ws types themselves are clean', () => {
    expect(results.get('/ws-sandbox.d.ts')).toEqual([]);
    expect(results.get('(global)') ?? []).toEqual([]);
  });

  it('has unique ids, a title and a one-line description for each snippet', () => {
    expect(new Set(SNIPPETS.map((s) => s.id)).size).toBe(SNIPPETS.length);
    for (const s of SNIPPETS) {
      expect(s.title.length).toBeGreaterThan(3);
      expect(s.description).toMatch(/^[^\n]{10,90}$/);
      expect(s.code.trim().length).toBeGreaterThan(50);
    }
  });

  it('covers what the course needs', () => {
    const ids = SNIPPETS.map((s) => s.id);
    for (const id of [
      'connect-log',
      'send-close',
      'binary',
      'backpressure',
      'heartbeat-client',
      'heartbeat-server',
      'reconnect',
      'subprotocol',
      'chat-client',
      'chat-server',
      'errors',
    ]) {
      expect(ids).toContain(id);
    }
  });

  it.each(SNIPPETS.map((s) => [s.id, s] as const))(
    '%s type-checks against lib.dom and the ws types',
    (_id, s) => {
      expect(results.get(`/snippets/${s.id}.js`)).toEqual([]);
    },
  );

  it('the types catch mistakes (the check is not vacuous)', () => {
    const found = results.get('/bad.js')!.join('\n');
    expect(found).toMatch(/sendd/);
    expect(found).toMatch(/buffer/);
  });
});
