/**
 * Monaco, configured for the playground. Only ever loaded by dynamic import (monaco.ts), when
 * an editor is shown: it is about 1 MB gzipped, and the TypeScript worker 1.5 MB more.
 *
 * We ship the editor's features, the JavaScript and TypeScript languages and their language
 * service: no CSS, HTML or JSON workers, none of the other ~80 languages.
 */
import * as monaco from 'monaco-editor/editor/editor.api';
import 'monaco-editor/features/register.all';
import 'monaco-editor/languages/definitions/javascript/register';
import 'monaco-editor/languages/definitions/typescript/register';
import * as ts from 'monaco-editor/languages/features/typescript/register';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import TsWorker from 'monaco-editor/languages/features/typescript/ts.worker?worker';
import { WS_TYPES, WS_TYPES_PATH } from '../../sandbox/ws-types.ts';

declare global {
  interface Window {
    MonacoEnvironment?: { getWorker(workerId: string, label: string): Worker };
  }
}

self.MonacoEnvironment = {
  getWorker(_id, label) {
    return label === 'typescript' || label === 'javascript' ? new TsWorker() : new EditorWorker();
  },
};

/** What learner code is checked against: the browser (lib.dom has WebSocket) and our `ws`. */
const compilerOptions: ts.CompilerOptions = {
  // ESNext's default lib is the full one: the language and the DOM (WebSocket, Blob, ...).
  target: ts.ScriptTarget.ESNext,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.NodeJs,
  allowJs: true,
  checkJs: true,
  strict: false,
  noImplicitAny: false,
  esModuleInterop: true,
  allowSyntheticDefaultImports: true,
  allowNonTsExtensions: true,
  // Every file is a module (as Node treats a CommonJS file): top-level names stay local.
  moduleDetection: 3,
  sourceMap: true,
};

for (const defaults of [ts.typescriptDefaults, ts.javascriptDefaults]) {
  defaults.setCompilerOptions(compilerOptions);
  defaults.setDiagnosticsOptions({
    noSemanticValidation: false,
    noSyntaxValidation: false,
    // 1375/1378: top-level await is fine here (the sandbox runs code in an async function).
    // 80001: "this file may be converted to an ES module" is noise for snippets.
    diagnosticCodesToIgnore: [1375, 1378, 80001, 80005, 7044],
  });
  defaults.addExtraLib(WS_TYPES, WS_TYPES_PATH);
  defaults.setEagerModelSync(true);
}

/** Editor colours from the app's tokens (read at theme change), on Monaco's base themes. */
export function defineThemes(read: (name: string) => string): void {
  const colors = (): Record<string, string> => ({
    'editor.background': read('--surface'),
    'editorGutter.background': read('--surface'),
    'editor.foreground': read('--text'),
    'editorLineNumber.foreground': read('--text-3'),
    'editorLineNumber.activeForeground': read('--text'),
  });
  monaco.editor.defineTheme('wsp-light', { base: 'vs', inherit: true, rules: [], colors: colors() });
  monaco.editor.defineTheme('wsp-dark', { base: 'vs-dark', inherit: true, rules: [], colors: colors() });
}

export { monaco, ts };
