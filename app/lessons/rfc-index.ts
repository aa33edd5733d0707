/**
 * The course read the other way round: for each RFC section, the lessons that teach it. The
 * table of contents shows it so a learner who comes back can look a rule up by its section.
 */
import type { LessonMeta } from './types.ts';
import { resolveRfc, type RfcRef } from './rfc.ts';

export interface RfcIndexEntry {
  cite: string;
  ref: RfcRef;
  lessons: Pick<LessonMeta, 'id' | 'order' | 'title'>[];
}

/** Every section cited by a lesson's frontmatter, in the RFCs' own order (6455 first), each with its lessons in course order. */
export function rfcIndex(metas: readonly LessonMeta[]): RfcIndexEntry[] {
  const bySection = new Map<string, RfcIndexEntry>();
  for (const meta of [...metas].sort((a, b) => a.order - b.order)) {
    for (const cite of meta.rfc) {
      const ref = resolveRfc(cite);
      if (!ref) continue; // the content test refuses unknown citations; never shown here
      const key = `${ref.rfc} ${ref.section}`;
      let entry = bySection.get(key);
      if (!entry) bySection.set(key, (entry = { cite, ref, lessons: [] }));
      if (!entry.lessons.some((l) => l.id === meta.id))
        entry.lessons.push({ id: meta.id, order: meta.order, title: meta.title });
    }
  }
  return [...bySection.values()].sort((a, b) => compareRefs(a.ref, b.ref));
}

/** RFC 6455 before the others, then section numbers compared part by part (5.5.2 before 5.10). */
function compareRefs(a: RfcRef, b: RfcRef): number {
  if (a.rfc !== b.rfc) return a.rfc === 6455 ? -1 : b.rfc === 6455 ? 1 : a.rfc - b.rfc;
  const x = a.section.split('.').map(Number);
  const y = b.section.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? -1) - (y[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}
