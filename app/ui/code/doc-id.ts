/**
 * The document id of a lesson's code file ('lesson-accept-server'); its saved copy uses it too.
 * Its own file: the lesson player needs it without loading the code area.
 */
export function lessonDocId(lessonId: string, file: string): string {
  return `lesson-${lessonId}-${file.replace(/\.[jt]s$/, '')}`;
}
