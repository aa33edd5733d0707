/**
 * The classroom's messages (JSON text, one object per WebSocket message) between student pages,
 * the instructor's dashboard and the classroom server. Page-safe: the dashboard and the
 * students' pages import these types and parsers too. Every parser takes untrusted text and
 * returns undefined for anything malformed: bad input is ignored, never thrown.
 */

export { CLASSROOM_INFO_PATH, CLASSROOM_PATH, DASHBOARD_PATH } from './classroom-paths.ts';

export const MAX_NAME = 40;
export const MAX_ANNOUNCEMENT = 500;
export const MAX_SLOW_SECONDS = 600;

/** What a student page reports about the lesson it shows. */
export interface ProgressReport {
  /** Lesson id; absent: the list of lessons is shown. */
  lesson?: string;
  /** Step index, 0-based. */
  step: number;
  steps: number;
  /** Tasks of this step that pass, of `tasks`. */
  passed: number;
  tasks: number;
  /** The first failing task of this step, if any. */
  failing?: string;
  /** Lessons passed in the whole course. */
  lessonsPassed: number;
}

export type StudentMessage = { type: 'hello'; name: string } | ({ type: 'progress' } & ProgressReport);

export type ToStudent =
  | { type: 'welcome'; id: string; name: string }
  | { type: 'announce'; text: string; t: number }
  | { type: 'goto'; lesson: string; step: number };

export type DashboardCommand =
  | { type: 'announce'; text: string }
  | { type: 'goto'; lesson: string; step: number }
  | { type: 'mute'; student: string; muted: boolean }
  | { type: 'clear' }
  | { type: 'slow'; seconds: number };

export interface StudentRow {
  id: string;
  name: string;
  address: string;
  /** Open WebSockets from this student's address (their lab, code and this page's own). */
  sockets: number;
  report?: ProgressReport;
  /** Epoch ms of the last report or hello. */
  lastActivity: number;
  /** The same task failing since `since` for longer than the class's threshold. */
  stuck?: { task: string; since: number };
  muted: boolean;
}

export interface DashboardState {
  type: 'state';
  t: number;
  students: StudentRow[];
  chat: {
    lines: { t: number; from: string; text: string }[];
    slowSeconds: number;
    limits: { rate: number; maxMessageSize: number; queueBytes: number };
    members: number;
    skipped: number;
    dropped: number;
  };
  stuckAfterMs: number;
  /** The URLs students type; empty: the dashboard's own origin. */
  joinUrls: string[];
}

export type ToDashboard = DashboardState | { type: 'error'; text: string };

function object(text: string): Record<string, unknown> | undefined {
  if (text.length > 8192) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

const isCount = (v: unknown, max = 10_000): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;
const isId = (v: unknown): v is string => typeof v === 'string' && /^[\w-]{1,64}$/.test(v);

/** Printable text only: control and bidi-override characters become spaces, then trimmed and cut. */
export function cleanText(text: string, max: number): string {
  return (
    text
      // eslint-disable-next-line no-control-regex -- removing control characters is the point
      .replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, ' ')
      .trim()
      .slice(0, max)
  );
}

export function parseStudentMessage(text: string): StudentMessage | undefined {
  const o = object(text);
  if (!o) return undefined;
  if (o.type === 'hello' && typeof o.name === 'string')
    return { type: 'hello', name: cleanText(o.name, MAX_NAME) };
  if (o.type !== 'progress') return undefined;
  const { step, steps, passed, tasks, lessonsPassed } = o;
  if (!isCount(step) || !isCount(steps) || !isCount(passed) || !isCount(tasks) || !isCount(lessonsPassed))
    return undefined;
  if (o.lesson !== undefined && !isId(o.lesson)) return undefined;
  if (o.failing !== undefined && !isId(o.failing)) return undefined;
  return {
    type: 'progress',
    step,
    steps,
    passed,
    tasks,
    lessonsPassed,
    ...(o.lesson !== undefined ? { lesson: o.lesson } : {}),
    ...(o.failing !== undefined ? { failing: o.failing } : {}),
  };
}

export function parseDashboardCommand(text: string): DashboardCommand | undefined {
  const o = object(text);
  if (!o) return undefined;
  switch (o.type) {
    case 'announce': {
      const t = typeof o.text === 'string' ? cleanText(o.text, MAX_ANNOUNCEMENT) : '';
      return t ? { type: 'announce', text: t } : undefined;
    }
    case 'goto':
      return isId(o.lesson) && isCount(o.step, 1000) && o.step >= 1
        ? { type: 'goto', lesson: o.lesson, step: o.step }
        : undefined;
    case 'mute':
      return isId(o.student) && typeof o.muted === 'boolean'
        ? { type: 'mute', student: o.student, muted: o.muted }
        : undefined;
    case 'clear':
      return { type: 'clear' };
    case 'slow':
      return isCount(o.seconds, MAX_SLOW_SECONDS) ? { type: 'slow', seconds: o.seconds } : undefined;
    default:
      return undefined;
  }
}

export function parseToStudent(text: string): ToStudent | undefined {
  const o = object(text);
  if (!o) return undefined;
  if (o.type === 'welcome' && isId(o.id) && typeof o.name === 'string')
    return { type: 'welcome', id: o.id, name: cleanText(o.name, MAX_NAME) };
  if (o.type === 'announce' && typeof o.text === 'string' && typeof o.t === 'number')
    return { type: 'announce', text: cleanText(o.text, MAX_ANNOUNCEMENT), t: o.t };
  if (o.type === 'goto' && isId(o.lesson) && isCount(o.step, 1000) && o.step >= 1)
    return { type: 'goto', lesson: o.lesson, step: o.step };
  return undefined;
}
