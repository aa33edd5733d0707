/**
 * The learner's progress through the course, kept in localStorage so a reload loses nothing, and
 * exported/imported as one JSON file (with the code of every lesson). Never throws: storage that
 * is full, disabled or corrupt is reported in `message` and progress lasts for the visit.
 */
import { CODE_KEY_PREFIX, CodeStore, type StorageLike } from '../sandbox/storage.ts';

export const PROGRESS_KEY = 'wsp.lessons.v1';
export const PROGRESS_FORMAT = 'websocket-playground-progress';

export interface LessonProgress {
  /** Index of the step the learner is on. */
  step: number;
  /** Prediction id -> the answer, locked once given. Never graded. */
  predictions: Record<string, string>;
  /** Step id -> how many hints are shown. */
  hints: Record<string, number>;
  /** What the learner typed into the lesson's decode widgets (`input=NAME` -> the text). */
  inputs: Record<string, string>;
  /** Tasks that have passed at least once. */
  passed: string[];
  /** Every task passed (before the solution was shown). */
  done: boolean;
  /** The learner asked for the solution: the lesson is "seen", not passed. */
  solutionSeen: boolean;
  skipped: boolean;
  /** Epoch ms: connections from this moment on count for the checks (reset moves it). */
  since: number;
}

export function freshProgress(now: number): LessonProgress {
  return {
    step: 0,
    predictions: {},
    hints: {},
    inputs: {},
    passed: [],
    done: false,
    solutionSeen: false,
    skipped: false,
    since: now,
  };
}

export type LessonStatus = 'new' | 'started' | 'passed' | 'seen' | 'skipped';

export function statusOf(p: LessonProgress | undefined): LessonStatus {
  if (!p) return 'new';
  if (p.done) return 'passed';
  if (p.solutionSeen) return 'seen';
  if (p.skipped) return 'skipped';
  return 'started';
}

/** Code documents of lessons are saved by the code area under ids starting with this. */
export const LESSON_DOC_PREFIX = 'lesson-';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads one lesson's progress leniently: wrong fields fall back to their defaults. */
function readProgress(raw: unknown): LessonProgress | undefined {
  if (!isObject(raw)) return undefined;
  const strings = (v: unknown): Record<string, string> =>
    isObject(v)
      ? Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'))
      : {};
  const numbers = (v: unknown): Record<string, number> =>
    isObject(v)
      ? Object.fromEntries(
          Object.entries(v).filter(
            (e): e is [string, number] => Number.isInteger(e[1]) && (e[1] as number) >= 0,
          ),
        )
      : {};
  return {
    step: Number.isInteger(raw.step) && (raw.step as number) >= 0 ? (raw.step as number) : 0,
    predictions: strings(raw.predictions),
    hints: numbers(raw.hints),
    inputs: strings(raw.inputs),
    passed: Array.isArray(raw.passed) ? raw.passed.filter((s): s is string => typeof s === 'string') : [],
    done: raw.done === true,
    solutionSeen: raw.solutionSeen === true,
    skipped: raw.skipped === true,
    since: typeof raw.since === 'number' ? raw.since : 0,
  };
}

export class ProgressStore {
  readonly #storage: () => StorageLike | undefined;
  readonly #code: CodeStore;
  #lessons: Record<string, LessonProgress> = {};
  /** A problem with storage, or the outcome of the last import; empty when all is well. */
  message = '';

  constructor(storage: () => StorageLike | undefined = defaultStorage) {
    this.#storage = storage;
    this.#code = new CodeStore(storage);
    try {
      const raw = storage()?.getItem(PROGRESS_KEY);
      if (raw) this.#lessons = this.#readLessons(JSON.parse(raw));
    } catch {
      this.message = 'Saved progress could not be read; starting afresh.';
    }
  }

  #readLessons(raw: unknown): Record<string, LessonProgress> {
    const out: Record<string, LessonProgress> = {};
    if (!isObject(raw)) return out;
    for (const [id, p] of Object.entries(raw)) {
      const read = readProgress(p);
      if (read) out[id] = read;
    }
    return out;
  }

  get(id: string): LessonProgress | undefined {
    return this.#lessons[id];
  }

  all(): Readonly<Record<string, LessonProgress>> {
    return this.#lessons;
  }

  /** Changes one lesson's progress (made fresh first if it has none) and saves. */
  update(id: string, change: (p: LessonProgress) => void, now = Date.now()): LessonProgress {
    const p = this.#lessons[id] ?? freshProgress(now);
    change(p);
    this.#lessons = { ...this.#lessons, [id]: p };
    this.#save();
    return p;
  }

  /** Forgets a lesson: its progress, predictions, hints and the learner's code for it. */
  reset(id: string, now = Date.now()): LessonProgress {
    this.#forgetCode(LESSON_DOC_PREFIX + id + '-');
    const p = freshProgress(now);
    this.#lessons = { ...this.#lessons, [id]: p };
    this.#save();
    return p;
  }

  resetAll(): void {
    this.#forgetCode(LESSON_DOC_PREFIX);
    this.#lessons = {};
    this.#save();
  }

  /** Progress and the code of every lesson, as one JSON file. */
  export(now = Date.now()): string {
    return JSON.stringify(
      {
        format: PROGRESS_FORMAT,
        version: 1,
        exported: new Date(now).toISOString(),
        lessons: this.#lessons,
        code: this.#lessonCode(),
      },
      null,
      1,
    );
  }

  /** Replaces progress (and lesson code) with a file's; says what happened in `message`. */
  import(text: string): boolean {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      this.message = `Not imported: the file is not JSON (${error instanceof Error ? error.message : String(error)}).`;
      return false;
    }
    if (!isObject(raw) || raw.format !== PROGRESS_FORMAT) {
      this.message = `Not imported: this is not a progress file ("format" should be "${PROGRESS_FORMAT}").`;
      return false;
    }
    this.#lessons = this.#readLessons(raw.lessons);
    let files = 0;
    if (isObject(raw.code))
      for (const [id, code] of Object.entries(raw.code))
        if (id.startsWith(LESSON_DOC_PREFIX) && typeof code === 'string' && this.#code.save(id, code).ok)
          files++;
    this.#save();
    const n = Object.keys(this.#lessons).length;
    this.message ||= `Imported progress of ${n} lesson${n === 1 ? '' : 's'} and ${files} code file${files === 1 ? '' : 's'}.`;
    return true;
  }

  #save(): void {
    try {
      this.#storage()?.setItem(PROGRESS_KEY, JSON.stringify(this.#lessons));
      this.message = '';
    } catch {
      this.message =
        'Your progress could not be saved (browser storage is full or off): it lasts until you leave the page.';
    }
  }

  #lessonKeys(prefix: string): string[] {
    const storage = this.#storage() as
      (StorageLike & { length?: number; key?(i: number): string | null }) | undefined;
    const keys: string[] = [];
    if (!storage?.key || storage.length === undefined) return keys;
    for (let i = 0; i < storage.length; i++) {
      const k = storage.key(i);
      if (k?.startsWith(CODE_KEY_PREFIX + prefix)) keys.push(k.slice(CODE_KEY_PREFIX.length));
    }
    return keys;
  }

  #lessonCode(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const id of this.#lessonKeys(LESSON_DOC_PREFIX)) {
      const saved = this.#code.load(id);
      if (saved) out[id] = saved.code;
    }
    return out;
  }

  #forgetCode(prefix: string): void {
    for (const id of this.#lessonKeys(prefix)) {
      try {
        this.#storage()?.removeItem(CODE_KEY_PREFIX + id);
      } catch {
        // storage went away: nothing to forget
      }
    }
  }
}

function defaultStorage(): StorageLike | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage;
  } catch {
    return undefined;
  }
}
