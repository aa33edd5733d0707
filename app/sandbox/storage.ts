/**
 * The learner's code, kept per snippet in localStorage so a reload loses nothing. Storage can
 * be full, disabled or corrupt: every call reports that as a result, never as a throw, and
 * the code stays in the editor for the visit.
 */

export const CODE_KEY_PREFIX = 'wsp.code.v1.';

export type CodeLanguage = 'javascript' | 'typescript';

export interface SavedCode {
  code: string;
  /** Epoch ms of the save. */
  savedAt: number;
  /** The language the learner chose, when not the snippet's own. */
  language?: CodeLanguage;
  /** This save's own id: tabs tell saves apart by it (two may share a millisecond). */
  rev?: string;
  /**
   * The `rev` of the save this one replaced, as the saving tab knew it. A tab whose own save is
   * not this `base` learns that its save was written over by a tab that never saw it.
   */
  base?: string;
}

/** A save's id: unique enough among a learner's tabs (crypto.randomUUID needs a secure context). */
function newRev(): string {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

export type SaveResult = { ok: true } | { ok: false; reason: 'quota' | 'unavailable'; message: string };

/** The part of Storage we use (tests pass a Map-backed one). */
export type StorageLike = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export function isQuotaError(error: unknown): boolean {
  if (!(error instanceof Error) && !(typeof DOMException !== 'undefined' && error instanceof DOMException))
    return false;
  const e = error as { name?: string; code?: number };
  return (
    e.name === 'QuotaExceededError' ||
    e.name === 'NS_ERROR_DOM_QUOTA_REACHED' ||
    e.code === 22 ||
    e.code === 1014
  );
}

export class CodeStore {
  readonly #storage: () => StorageLike | undefined;

  constructor(storage: () => StorageLike | undefined = defaultStorage) {
    this.#storage = storage;
  }

  /** The saved code for a snippet, or undefined (none, unreadable or corrupt). */
  load(id: string): SavedCode | undefined {
    try {
      const raw = this.#storage()?.getItem(CODE_KEY_PREFIX + id);
      if (raw == null) return undefined;
      const parsed = JSON.parse(raw) as Partial<SavedCode>;
      if (typeof parsed.code !== 'string') return undefined;
      const saved: SavedCode = {
        code: parsed.code,
        savedAt: typeof parsed.savedAt === 'number' ? parsed.savedAt : 0,
      };
      if (parsed.language === 'javascript' || parsed.language === 'typescript')
        saved.language = parsed.language;
      if (typeof parsed.rev === 'string') saved.rev = parsed.rev;
      if (typeof parsed.base === 'string') saved.base = parsed.base;
      return saved;
    } catch {
      return undefined;
    }
  }

  save(
    id: string,
    code: string,
    extra: { now?: number; language?: CodeLanguage; base?: string } = {},
  ): SaveResult {
    const storage = this.#safeStorage();
    if (!storage)
      return {
        ok: false,
        reason: 'unavailable',
        message: 'Browser storage is not available here: your edits last until you leave the page.',
      };
    try {
      const saved: SavedCode = { code, savedAt: extra.now ?? Date.now(), rev: newRev() };
      if (extra.language !== undefined) saved.language = extra.language;
      if (extra.base !== undefined) saved.base = extra.base;
      storage.setItem(CODE_KEY_PREFIX + id, JSON.stringify(saved));
      return { ok: true };
    } catch (error) {
      if (isQuotaError(error)) {
        return {
          ok: false,
          reason: 'quota',
          message:
            'Browser storage is full: this edit was not saved (it stays here until you leave the page). Reset snippets you no longer need to make room.',
        };
      }
      return {
        ok: false,
        reason: 'unavailable',
        message: `Your edit was not saved: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
  }

  /** Forgets the saved code (the snippet shows its original again). */
  remove(id: string): SaveResult {
    const storage = this.#safeStorage();
    if (!storage)
      return { ok: false, reason: 'unavailable', message: 'Browser storage is not available here.' };
    try {
      storage.removeItem(CODE_KEY_PREFIX + id);
      return { ok: true };
    } catch (error) {
      return {
        ok: false,
        reason: 'unavailable',
        message: `Could not reset the saved copy: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
  }

  #safeStorage(): StorageLike | undefined {
    try {
      return this.#storage();
    } catch {
      return undefined;
    }
  }
}

function defaultStorage(): StorageLike | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined; // access itself throws when storage is disabled
  }
}
