/**
 * The classroom's "everyone go to lesson N, step S" reaches the lesson column as a window event
 * (app/ui/classroom/student.svelte.ts sends it, LessonPanel opens the lesson): neither loads the other.
 */
export const GOTO_EVENT = 'wsp:goto';
export interface GotoDetail {
  lesson: string;
  /** 1-based, as the instructor says it. */
  step: number;
}
