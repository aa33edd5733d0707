/**
 * What the lesson column tells the classroom (only in classroom mode: App passes `onreport`
 * then, app/ui/classroom/student.svelte.ts): the lesson and step shown and how its checks stand.
 */
import { firstFailure } from '../../lessons/runner.ts';
import type { ProgressReport } from '../../services/classroom-protocol.ts';
import { checkedTasks, type LessonPlayer } from './player.svelte.ts';

export function lessonReport(
  player: Pick<LessonPlayer, 'lessonId' | 'stepIndex' | 'steps' | 'step' | 'results' | 'passedCount'>,
): ProgressReport {
  const tasks = player.step ? checkedTasks(player.step.blocks) : [];
  const failing = firstFailure(tasks, player.results);
  return {
    ...(player.lessonId ? { lesson: player.lessonId } : {}),
    step: player.lessonId ? player.stepIndex : 0,
    steps: player.steps.length,
    passed: tasks.filter((id) => player.results.get(id)?.ok === true).length,
    tasks: tasks.length,
    ...(failing ? { failing: failing.id } : {}),
    lessonsPassed: player.passedCount,
  };
}
