/**
 * Runs a lesson's tasks on a trace. A check that throws is a defect of the lesson, not of the
 * learner: it is reported as a failure that says so, and the other tasks still run.
 */
import type { LessonChecks, Task, TaskResult, Trace } from './types.ts';

/** Results before any check ran. */
export const NO_RESULTS: ReadonlyMap<string, TaskResult> = new Map();

export function runTask(task: Task, trace: Trace): TaskResult {
  try {
    return task.check(trace);
  } catch (error) {
    return {
      ok: false,
      expected: `the check "${task.id}" to run`,
      seen: `it failed inside: ${error instanceof Error ? error.message : String(error)} (a bug in the lesson, not in your work)`,
      rfc: 'RFC 6455',
    };
  }
}

export function runTasks(checks: LessonChecks, trace: Trace): Map<string, TaskResult> {
  return new Map(checks.tasks.map((t) => [t.id, runTask(t, trace)]));
}

/** The first of `ids` (in order) that fails, with its result; undefined when all pass. */
export function firstFailure(
  ids: readonly string[],
  results: ReadonlyMap<string, TaskResult>,
): { id: string; result: Extract<TaskResult, { ok: false }> } | undefined {
  for (const id of ids) {
    const result = results.get(id);
    if (result && !result.ok) return { id, result };
  }
  return undefined;
}
