/**
 * Traces for tests of lessons' checks: build one by hand with the engine's encoder, or load a
 * saved one (the player's "Save my trace" writes trace-json.ts's format: a learner's question
 * becomes a test). Not loaded by the page.
 */
import { readFileSync } from 'node:fs';
import type { SessionEvent } from '../ui/connection/events.ts';
import { frameBytes, frameEvent, REQUEST, RESPONSE } from '../ui/connection/fixtures.ts';
import { traceFromJson } from './trace-json.ts';
import type { LessonChecks, LessonMode, TaskResult, Trace, TraceConnection } from './types.ts';

export { frameBytes, frameEvent, REQUEST, RESPONSE };

export function connection(
  id: string,
  url: string,
  events: SessionEvent[],
  options: { origin?: TraceConnection['origin']; protocols?: string[] } = {},
): TraceConnection {
  return { id, url, protocols: options.protocols ?? [], origin: options.origin ?? 'lab', events };
}

export function trace(
  connections: TraceConnection[],
  options: { mode?: LessonMode; inputs?: Record<string, string>; console?: string[] } = {},
): Trace {
  return {
    mode: options.mode ?? 'loopback',
    connections,
    inputs: options.inputs ?? {},
    console: options.console ?? [],
  };
}

/** The events of an opening that succeeded: create, CONNECTING, GET, 101, OPEN, open. */
export function opened(
  t0: number,
  url: string,
  options: { request?: string; response?: string; protocol?: string } = {},
): SessionEvent[] {
  return [
    { kind: 'api', t: t0, type: 'create', url, protocols: [] },
    { kind: 'api', t: t0, type: 'state', state: 'CONNECTING' },
    { kind: 'handshake', t: t0 + 1, from: 'client', text: options.request ?? REQUEST },
    { kind: 'handshake', t: t0 + 2, from: 'server', text: options.response ?? RESPONSE },
    { kind: 'api', t: t0 + 3, type: 'state', state: 'OPEN' },
    { kind: 'api', t: t0 + 3, type: 'open', protocol: options.protocol ?? '', extensions: '' },
  ];
}

/** Reads a saved trace file (e.g. `new URL('question.json', import.meta.url)`). */
export function loadTrace(path: URL | string): Trace {
  return traceFromJson(readFileSync(path, 'utf8'));
}

/** Runs one task of a lesson by id; an unknown id throws (a typo in a test, not a failing check). */
export function runTaskById(checks: LessonChecks, id: string, t: Trace): TaskResult {
  const task = checks.tasks.find((x) => x.id === id);
  if (!task) throw new Error(`no task ${id}`);
  return task.check(t);
}

/** A task's failure; throws when it passed, saying what it observed, so the test fails there. */
export function failureOf(checks: LessonChecks, id: string, t: Trace): Extract<TaskResult, { ok: false }> {
  const r = runTaskById(checks, id, t);
  if (r.ok) throw new Error(`${id} passed: ${r.observed}`);
  return r;
}

/** A failure's text and the field its frame points at (when it points at one), for `toEqual`. */
export function failureText(
  checks: LessonChecks,
  id: string,
  t: Trace,
): { expected: string; seen: string; rfc: string; field?: string } {
  const r = failureOf(checks, id, t);
  return {
    expected: r.expected,
    seen: r.seen,
    rfc: r.rfc,
    ...(r.frame?.field ? { field: r.frame.field } : {}),
  };
}
