/**
 * Stack traces of learner code, in the editor's terms: the evaluated script wraps the learner's
 * code (its first line is line 2) and may be rewritten (TypeScript, imports), so each
 * `learner.js:LINE:COL` is mapped through the run's line map to an editor line, and the
 * runtime's own frames are dropped.
 */
import type { RunRequest } from '../protocol.ts';

/** The wrapper puts the learner's first line on line 2 of the evaluated script. */
export const WRAPPER_LINES = 1;

export interface StackMapper {
  /** The editor line of a line of the evaluated script, if it is the learner's. */
  editorLine(generated: number): number | undefined;
  /** Keeps the learner's frames (renamed to editor lines) and drops the runtime's. */
  mapStack(stack: string): string;
  /** An error's text (stack mapped) and the editor line it points at. */
  mapError(error: unknown): { text: string; line?: number };
}

/** `current`: the run being executed (null before the first). `format`: for a non-Error. */
export function createStackMapper(
  current: () => RunRequest | null,
  format: (args: readonly unknown[]) => string,
): StackMapper {
  const editorLine = (generated: number): number | undefined => {
    const line = generated - WRAPPER_LINES;
    if (line < 1) return undefined;
    const map = current()?.lineMap;
    if (!map) return line;
    return map[line] ?? undefined;
  };
  const fileRe = (): RegExp =>
    new RegExp(`${(current()?.filename ?? 'learner.js').replace(/\./g, '\\.')}:(\\d+):(\\d+)`);
  const mapStack = (stack: string): string => {
    const re = fileRe();
    const out: string[] = [];
    for (const line of stack.split('\n')) {
      if (!/^\s+at /.test(line)) {
        out.push(line);
        continue;
      }
      const m = re.exec(line);
      if (!m) continue;
      const mapped = editorLine(Number(m[1]));
      if (mapped === undefined) continue;
      out.push(line.replace(m[0], `line ${mapped}:${m[2]}`).replace(/\bat eval \(/, 'at ('));
    }
    return out.join('\n');
  };
  const firstLine = (stack: string): number | undefined => {
    const re = fileRe();
    for (const line of stack.split('\n')) {
      const m = re.exec(line);
      if (m) {
        const mapped = editorLine(Number(m[1]));
        if (mapped !== undefined) return mapped;
      }
    }
    return undefined;
  };
  const mapError = (error: unknown): { text: string; line?: number } => {
    if (error instanceof Error) {
      const stack = typeof error.stack === 'string' ? error.stack : `${error.name}: ${error.message}`;
      const line = firstLine(stack);
      return { text: mapStack(stack), ...(line !== undefined ? { line } : {}) };
    }
    return { text: format([error]) };
  };
  return { editorLine, mapStack, mapError };
}
