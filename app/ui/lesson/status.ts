import type { LessonStatus } from '../../lessons/progress.ts';

/** The learner's status of a lesson, in words. */
export function statusLabel(status: LessonStatus): string {
  switch (status) {
    case 'new':
      return 'not started';
    case 'started':
      return 'in progress';
    case 'passed':
      return 'passed';
    case 'seen':
      return 'solution seen';
    case 'skipped':
      return 'skipped';
  }
}
