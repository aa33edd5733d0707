/**
 * The code area's state: the snippet documents (their code, saved per snippet), the Monaco
 * models once Monaco has loaded, the runs and their consoles, and share links.
 * Components stay thin: they render this and call its methods.
 */
import type { SandboxSocket } from '../../sandbox/host.ts';
import type { RunRequest } from '../../sandbox/protocol.ts';
import {
  decodeShare,
  encodeShare,
  shareParam,
  withHash,
  withoutShare,
  type SharedCode,
} from '../../sandbox/share.ts';
import { SNIPPETS, findSnippet, type Snippet } from '../../snippets/index.ts';
import { lineMapFromSourceMap } from '../../sandbox/sourcemap.ts';
import { CODE_KEY_PREFIX, CodeStore, type CodeLanguage, type SavedCode } from '../../sandbox/storage.ts';
import { toCommonJs } from '../../sandbox/transform.ts';
import { importWithRetry } from '../lib/lazy.ts';
import type { MonacoModule } from './monaco.ts';
import type { CodeRun } from './run.svelte.ts';
import { lessonDocId } from './doc-id.ts';

type SandboxKit = typeof import('./sandbox-kit.ts');

type Monaco = MonacoModule['monaco'];
type TextModel = import('monaco-editor').editor.ITextModel;

export const SHARED_DOC_ID = 'shared';

/** A lesson's code file, as the lesson player opens it. */
export interface LessonFileSpec {
  lessonId: string;
  lessonTitle: string;
  /** 'server.js' */
  file: string;
  /** The lesson's start/ version of the file. */
  start: string;
  kind: Snippet['kind'];
}

export { lessonDocId };

/**
 * Another tab saved this snippet while this tab has edits of its own (or saved over this tab's
 * save without having seen it): nothing is written until the learner picks a version.
 */
export interface TabConflict {
  /** The other tab's version (the snippet as shipped when it was reset there). */
  code: string;
  language: CodeLanguage;
  /** True when the other tab reset the snippet. */
  reset: boolean;
}

/** Two stored records are the same save. */
function sameSave(a: SavedCode | undefined, b: SavedCode | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.code === b.code && a.savedAt === b.savedAt && a.language === b.language && a.rev === b.rev;
}

/** One editable document: a snippet (or code opened from a share link). */
export class CodeDoc {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly kind: Snippet['kind'];
  /** The lesson that teaches what this snippet shows (a lesson's own files have none). */
  readonly lesson: string | undefined;
  /** The language as shipped (what Reset restores). */
  readonly originalLanguage: CodeLanguage;
  /** JavaScript or TypeScript: the learner may switch. */
  language = $state<CodeLanguage>('javascript');
  /** The code as shipped (what Reset restores). */
  readonly original: string;
  code = $state('');
  /** Runs so far (for labels: "Chat client #2"). */
  runCount = 0;
  /** Another tab's save that this tab's edits would overwrite: the learner chooses. */
  conflict = $state<TabConflict | undefined>(undefined);

  constructor(snippet: Snippet, code: string, language: CodeLanguage = snippet.language) {
    this.id = snippet.id;
    this.title = snippet.title;
    this.description = snippet.description;
    this.kind = snippet.kind;
    this.lesson = snippet.lesson;
    this.originalLanguage = snippet.language;
    this.language = language;
    this.original = snippet.code;
    this.code = code;
  }

  get edited(): boolean {
    return this.code !== this.original || this.language !== this.originalLanguage;
  }

  get filename(): string {
    return `${this.id}.${this.language === 'typescript' ? 'ts' : 'js'}`;
  }
}

export interface WorkspaceOptions {
  /** Which transport client sockets use; read at each run. */
  mode: () => 'server' | 'static';
  /** Loads what runs need; default a dynamic import of sandbox-kit.ts at the first run. */
  loadSandbox?: () => Promise<SandboxKit>;
  store?: CodeStore;
  /** Each socket a run opens (the lab registers it). */
  onSocket?(run: CodeRun, socket: SandboxSocket): void;
  timeoutMs?: number;
  /** Milliseconds between an edit and its save. */
  saveDelayMs?: number;
}

export class CodeWorkspace {
  readonly docs: CodeDoc[] = $state([]);
  activeId = $state(SNIPPETS[0]!.id);
  runs = $state<CodeRun[]>([]);
  activeRunId = $state(0);
  /** A problem saving (storage full or unavailable); empty when saving works. */
  storageMessage = $state('');
  /** Says that a snippet now shows what another tab saved (this tab had no edits of its own). */
  syncMessage = $state('');
  /** The result of opening a share link (or of making one). */
  shareMessage = $state('');
  shareOk = $state(true);
  /** The last link made, shown for copying by hand if the clipboard refuses. */
  shareUrl = $state('');
  /** Why code cannot run right now (the sandbox failed to load); empty when it can. */
  runMessage = $state('');
  /** A message about the last language switch (TypeScript to JavaScript drops the types). */
  languageMessage = $state('');
  /** False when that message says the switch failed. */
  languageOk = $state(true);

  readonly #o: WorkspaceOptions;
  #sandbox: Promise<SandboxKit> | undefined;
  readonly #store: CodeStore;
  #monaco: Monaco | undefined;
  #ts: MonacoModule['ts'] | undefined;
  // Internal bookkeeping, never rendered: plain collections on purpose.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #models = new Map<string, TextModel>();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #saveTimers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Per snippet, the stored save this tab last wrote, read or took over (what its edits build on). */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #known = new Map<string, SavedCode | undefined>();
  /** The `rev` of this tab's last save of each snippet (not shown: plain Map). */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #ownRevs = new Map<string, string>();

  constructor(options: WorkspaceOptions) {
    this.#o = options;
    this.#store = options.store ?? new CodeStore();
    for (const s of SNIPPETS) {
      const saved = this.#store.load(s.id);
      this.#known.set(s.id, saved);
      this.docs.push(new CodeDoc(s, saved?.code ?? s.code, saved?.language));
    }
    const shared = this.#store.load(SHARED_DOC_ID);
    if (shared) this.#addShared(JSON.parse(shared.code) as SharedCode, false);
  }

  get active(): CodeDoc {
    return this.docs.find((d) => d.id === this.activeId) ?? this.docs[0]!;
  }

  get activeRun(): CodeRun | undefined {
    return this.runs.find((r) => r.id === this.activeRunId) ?? this.runs.at(-1);
  }

  doc(id: string): CodeDoc | undefined {
    return this.docs.find((d) => d.id === id);
  }

  select(id: string): void {
    if (this.doc(id)) this.activeId = id;
  }

  // ---- editing and saving -------------------------------------------------------------------

  /** Called by the editor on every change. */
  edit(id: string, code: string): void {
    const doc = this.doc(id);
    if (!doc || doc.code === code) return;
    doc.code = code;
    clearTimeout(this.#saveTimers.get(id));
    this.#saveTimers.set(
      id,
      setTimeout(() => this.save(id), this.#o.saveDelayMs ?? 300),
    );
  }

  /** Writes a document now (its saved copy goes away when it matches the original again). */
  save(id: string): void {
    clearTimeout(this.#saveTimers.get(id));
    this.#saveTimers.delete(id);
    const doc = this.doc(id);
    if (!doc) return;
    if (doc.id !== SHARED_DOC_ID) {
      // Another tab may have saved since this tab last looked: never write over a save this tab
      // has not seen; hold the edit and let the learner choose.
      if (doc.conflict) return;
      const stored = this.#store.load(id);
      if (!sameSave(stored, this.#known.get(id))) {
        // Taken over (no edits here), the same code, or a conflict: nothing to write now.
        this.#otherTabSaved(doc, stored);
        return;
      }
    }
    const result =
      doc.id === SHARED_DOC_ID
        ? this.#store.save(SHARED_DOC_ID, JSON.stringify(this.#sharedOf(doc)))
        : doc.edited
          ? this.#store.save(id, doc.code, { language: doc.language, base: this.#known.get(id)?.rev })
          : this.#store.remove(id);
    if (doc.id !== SHARED_DOC_ID && result.ok) {
      const saved = this.#store.load(id);
      this.#known.set(id, saved);
      if (saved?.rev) this.#ownRevs.set(id, saved.rev);
    }
    this.storageMessage = result.ok ? '' : result.message;
  }

  // ---- several tabs -------------------------------------------------------------------------

  /**
   * Another tab changed the browser storage (the page calls this on `storage` events; `key`
   * null: all of it was cleared). A snippet with no edits here takes the other tab's version
   * (and a message says so); one with edits here keeps them and gets a conflict to resolve.
   */
  storageChanged(key: string | null): void {
    const ids =
      key === null
        ? this.docs.map((d) => d.id)
        : key.startsWith(CODE_KEY_PREFIX)
          ? [key.slice(CODE_KEY_PREFIX.length)]
          : [];
    for (const id of ids) {
      const doc = this.doc(id);
      if (!doc || id === SHARED_DOC_ID) continue;
      const stored = this.#store.load(id);
      if (sameSave(stored, this.#known.get(id))) {
        // Back to what this tab built on (the other tab undid its change): nothing to choose.
        if (doc.conflict) {
          doc.conflict = undefined;
          this.save(id);
        }
        continue;
      }
      this.#otherTabSaved(doc, stored);
    }
  }

  /** Whether some snippet waits for the learner to pick a version. */
  get hasConflicts(): boolean {
    return this.docs.some((d) => d.conflict !== undefined);
  }

  /** The learner's choice: keep this tab's version (saved now, over the other's) or take the other's. */
  resolveConflict(id: string, keep: 'mine' | 'theirs'): void {
    const doc = this.doc(id);
    if (!doc?.conflict) return;
    const stored = this.#store.load(id);
    doc.conflict = undefined;
    this.#known.set(id, stored);
    if (keep === 'theirs') {
      clearTimeout(this.#saveTimers.get(id));
      this.#saveTimers.delete(id);
      this.#show(doc, stored?.code ?? doc.original, stored?.language ?? doc.originalLanguage);
    } else this.save(id);
  }

  /** `stored` differs from what this tab last knew: take it, or raise a conflict if this tab has edits. */
  #otherTabSaved(doc: CodeDoc, stored: SavedCode | undefined): void {
    const known = this.#known.get(doc.id);
    const theirs = { code: stored?.code ?? doc.original, language: stored?.language ?? doc.originalLanguage };
    if (doc.code === theirs.code && doc.language === theirs.language) {
      // Both tabs hold the same code: nothing to choose, nothing to save.
      this.#known.set(doc.id, stored);
      doc.conflict = undefined;
      clearTimeout(this.#saveTimers.get(doc.id));
      this.#saveTimers.delete(doc.id);
      return;
    }
    const base = { code: known?.code ?? doc.original, language: known?.language ?? doc.originalLanguage };
    // Two tabs may save at the same instant, each before the other's save reached it (a tab's
    // view of localStorage is updated only when the other tab's change event arrives). Then the
    // later save is built on what this tab's save replaced, not on this tab's save: this tab's
    // edit was written over unseen, and the learner must choose, not lose it.
    const writtenOver =
      stored?.rev !== undefined &&
      known?.rev !== undefined &&
      this.#ownRevs.get(doc.id) === known.rev &&
      stored.base !== known.rev;
    const editedHere =
      writtenOver || doc.code !== base.code || doc.language !== base.language || doc.conflict !== undefined;
    if (editedHere) {
      doc.conflict = { ...theirs, reset: stored === undefined };
      return;
    }
    this.#known.set(doc.id, stored);
    this.#show(doc, theirs.code, theirs.language);
    this.syncMessage = `“${doc.title}” was ${stored === undefined ? 'reset' : 'changed'} in another tab: this tab now shows that version.`;
  }

  /** Puts code into a document and its editor model (a new model if the language changed). */
  #show(doc: CodeDoc, code: string, language: CodeLanguage): void {
    if (doc.language !== language) {
      this.#dropModel(doc.id);
      doc.language = language;
    }
    doc.code = code;
    const model = this.#models.get(doc.id);
    if (model && model.getValue() !== code) model.setValue(code);
  }

  /** Saves every pending edit (before the page goes away). */
  flush(): void {
    for (const id of [...this.#saveTimers.keys()]) this.save(id);
  }

  // ---- lessons' code ------------------------------------------------------------------------

  /**
   * Opens a file of a lesson as a document: the learner's saved copy, else the lesson's start.
   * Saved like a snippet (under `lesson-<lesson>-<file>`), so a reload keeps it.
   */
  openLessonFile(spec: LessonFileSpec): CodeDoc {
    const id = lessonDocId(spec.lessonId, spec.file);
    let doc = this.doc(id);
    if (!doc) {
      const saved = this.#store.load(id);
      const snippet: Snippet = {
        id,
        title: `${spec.file} (${spec.lessonTitle})`,
        description: `Your ${spec.file} for the lesson "${spec.lessonTitle}". Reset brings back the lesson's start.`,
        kind: spec.kind,
        language: 'javascript',
        code: spec.start,
      };
      doc = new CodeDoc(snippet, saved?.code ?? spec.start, saved?.language);
      this.docs.push(doc);
    }
    this.activeId = id;
    return doc;
  }

  /** Replaces a document's code (a lesson's "show solution"), saved and shown in the editor. */
  replaceCode(id: string, code: string): void {
    const doc = this.doc(id);
    if (!doc) return;
    doc.code = code;
    this.#models.get(id)?.setValue(code);
    this.save(id);
  }

  /** Back to the snippet as shipped. */
  reset(id: string): void {
    const doc = this.doc(id);
    if (!doc) return;
    if (doc.language !== doc.originalLanguage) {
      doc.language = doc.originalLanguage;
      this.#dropModel(id);
    }
    doc.code = doc.original;
    this.#models.get(id)?.setValue(doc.original);
    this.save(id);
  }

  /**
   * Switches a document between JavaScript and TypeScript. JavaScript is already TypeScript, so
   * that way only the language changes; the other way the TypeScript compiler removes the types
   * (the code changes, and a message says so). Resolves false if it could not switch.
   */
  async setLanguage(id: string, language: CodeLanguage): Promise<boolean> {
    const doc = this.doc(id);
    if (!doc || doc.language === language) return doc !== undefined;
    const before = doc.code;
    let code = before;
    if (language === 'javascript') {
      this.languageOk = true;
      this.languageMessage = 'Converting to JavaScript: the TypeScript compiler removes the types…';
      try {
        code = (await this.#emitJavaScript(doc)).code;
      } catch (error) {
        this.languageOk = false;
        this.languageMessage = `Could not convert to JavaScript: ${error instanceof Error ? error.message : String(error)}`;
        return false;
      }
    }
    this.#dropModel(id);
    doc.language = language;
    doc.code = code;
    this.languageMessage =
      code !== before
        ? 'Converted to JavaScript: the TypeScript compiler removed the types. Reset brings back the snippet as shipped.'
        : '';
    this.save(id);
    return true;
  }

  /** Forgets a document's model (its file name or language changed; the next one is new). */
  #dropModel(id: string): void {
    this.#models.get(id)?.dispose();
    this.#models.delete(id);
  }

  // ---- Monaco -------------------------------------------------------------------------------

  attachMonaco(m: MonacoModule): void {
    this.#monaco = m.monaco;
    this.#ts = m.ts;
  }

  /** The document's Monaco model (created once; edits flow back into `code`). */
  model(id: string): TextModel | undefined {
    const monaco = this.#monaco;
    const doc = this.doc(id);
    if (!monaco || !doc) return undefined;
    let model = this.#models.get(id);
    if (!model || model.isDisposed()) {
      const uri = monaco.Uri.parse(`file:///snippets/${doc.filename}`);
      model = monaco.editor.getModel(uri) ?? monaco.editor.createModel(doc.code, doc.language, uri);
      if (model.getValue() !== doc.code) model.setValue(doc.code);
      model.onDidChangeContent(() => this.edit(id, model!.getValue()));
      this.#models.set(id, model);
    }
    return model;
  }

  /** Marks uncaught errors of the active run in its document's model. */
  markErrors(run: CodeRun | undefined): void {
    const monaco = this.#monaco;
    if (!monaco) return;
    for (const [id, model] of this.#models) {
      const errors = run && run.docId === id ? run.errors : [];
      monaco.editor.setModelMarkers(
        model,
        'wsp-run',
        errors
          .filter((e) => e.line >= 1 && e.line <= model.getLineCount())
          .map((e) => ({
            severity: monaco.MarkerSeverity.Error,
            message: e.message,
            startLineNumber: e.line,
            endLineNumber: e.line,
            startColumn: model.getLineFirstNonWhitespaceColumn(e.line) || 1,
            endColumn: model.getLineMaxColumn(e.line),
          })),
      );
    }
  }

  // ---- running --------------------------------------------------------------------------------

  /** Runs a document. `another`: keep its runs going (a second chat client). */
  async run(id: string = this.activeId, another = false): Promise<CodeRun | undefined> {
    const doc = this.doc(id);
    if (!doc) return undefined;
    this.save(id);
    const kit = await this.#loadSandbox();
    if (kit === undefined) return undefined;
    if (!another) for (const r of this.runs) if (r.docId === id && r.live) r.stop();
    doc.runCount++;
    const label = doc.runCount > 1 || another ? `${doc.title} #${doc.runCount}` : doc.title;
    const run = kit.createRun({
      docId: id,
      label,
      mode: this.#o.mode(),
      ...(this.#o.timeoutMs !== undefined ? { timeoutMs: this.#o.timeoutMs } : {}),
      ...(this.#o.onSocket ? { onSocket: this.#o.onSocket } : {}),
    });
    // Keep the list short: finished runs beyond the last eight go.
    const finished = this.runs.filter((r) => !r.live);
    const drop = finished.slice(0, Math.max(0, this.runs.length + 1 - 8)).map((r) => r.id);
    this.runs = [...this.runs.filter((r) => !drop.includes(r.id)), run];
    this.activeRunId = run.id;
    if (doc.language === 'typescript')
      run.console.append([
        {
          level: 'system',
          at: Date.now(),
          text: '… compiling TypeScript (the first run starts the compiler)',
        },
      ]);
    let request: RunRequest;
    try {
      request = await this.compile(doc);
    } catch (error) {
      run.console.append([
        {
          level: 'error',
          at: Date.now(),
          text: `Could not compile: ${error instanceof Error ? error.message : String(error)}`,
        },
      ]);
      run.status = 'failed';
      return run;
    }
    await run.start(request);
    return run;
  }

  /** Starts loading what runs need (the editor is on screen: a run may come soon). */
  prepare(): void {
    void this.#loadSandbox();
  }

  /** The sandbox kit, loaded once; undefined (and `runMessage` says why) if it cannot load. */
  async #loadSandbox(): Promise<SandboxKit | undefined> {
    this.#sandbox ??= (this.#o.loadSandbox ?? (() => importWithRetry(() => import('./sandbox-kit.ts'))))();
    try {
      const kit = await this.#sandbox;
      this.runMessage = '';
      return kit;
    } catch (error) {
      this.#sandbox = undefined; // the next run tries again
      this.runMessage = `The sandbox that runs code could not be loaded (${error instanceof Error ? error.message : String(error)}). Check the connection and press Run again.`;
      return undefined;
    }
  }

  stop(runId: number = this.activeRun?.id ?? 0): void {
    this.runs.find((r) => r.id === runId)?.stop();
  }

  stopAll(): void {
    for (const r of this.runs) if (r.live) r.stop();
  }

  /** Forgets a finished run (its console tab). */
  dismiss(runId: number): void {
    const run = this.runs.find((r) => r.id === runId);
    if (!run) return;
    if (run.live) run.stop();
    this.runs = this.runs.filter((r) => r.id !== runId);
    if (this.activeRunId === runId) this.activeRunId = this.runs.at(-1)?.id ?? 0;
  }

  /** Learner code -> what the sandbox evaluates (TypeScript through Monaco's compiler). */
  async compile(doc: CodeDoc): Promise<RunRequest> {
    if (doc.language === 'javascript') return { code: toCommonJs(doc.code), filename: 'learner.js' };
    const { code, lineMap } = await this.#emitJavaScript(doc);
    return { code: toCommonJs(code), filename: 'learner.ts', ...(lineMap ? { lineMap } : {}) };
  }

  /** A TypeScript document as JavaScript, by Monaco's TypeScript worker, with its line map. */
  async #emitJavaScript(
    doc: CodeDoc,
  ): Promise<{ code: string; lineMap?: ReturnType<typeof lineMapFromSourceMap> }> {
    const ts = this.#ts;
    const model = this.model(doc.id);
    if (!ts || !model) throw new Error('the TypeScript compiler is still loading; try again in a moment');
    const getWorker = await ts.getTypeScriptWorker();
    const worker = await getWorker(model.uri);
    const out = await worker.getEmitOutput(model.uri.toString());
    const js = out.outputFiles.find((f) => f.name.endsWith('.js'));
    const map = out.outputFiles.find((f) => f.name.endsWith('.js.map'));
    if (!js) throw new Error('TypeScript produced no JavaScript');
    // Not ours to keep: the source map comment, and the `export {};` TypeScript adds to keep a
    // file without imports a module (the sandbox runs the code as one anyway).
    const code = js.text.replace(/\n\/\/# sourceMappingURL=.*$/, '').replace(/^export \{\};\n?/m, '');
    if (!map) return { code };
    return { code, lineMap: lineMapFromSourceMap((JSON.parse(map.text) as { mappings: string }).mappings) };
  }

  // ---- share links ----------------------------------------------------------------------------

  /** Makes a link to the active document's code, copies it if the clipboard allows. */
  async share(id: string = this.activeId, base: string = location.href): Promise<string | undefined> {
    const doc = this.doc(id);
    if (!doc) return undefined;
    try {
      this.shareUrl = withHash(base, await encodeShare(this.#sharedOf(doc)));
    } catch (error) {
      this.shareOk = false;
      this.shareMessage = error instanceof Error ? error.message : String(error);
      return undefined;
    }
    try {
      await navigator.clipboard.writeText(this.shareUrl);
      this.shareOk = true;
      this.shareMessage = 'Link copied: it carries the code itself, nothing is uploaded.';
    } catch {
      this.shareOk = true;
      this.shareMessage = 'Copy this link (it carries the code itself, nothing is uploaded):';
    }
    return this.shareUrl;
  }

  /**
   * Opens the code in a location hash (#code=...), as its own document: the learner's saved
   * snippets are never overwritten. A damaged link leaves everything as it was, with a message.
   * Returns true when code was opened.
   */
  async openShared(hash: string): Promise<boolean> {
    const value = shareParam(hash);
    if (value === undefined) return false;
    const result = await decodeShare(value);
    if (!result.ok) {
      this.shareOk = false;
      this.shareMessage = result.message;
      return false;
    }
    this.#addShared(result.shared, true);
    this.activeId = SHARED_DOC_ID;
    this.shareOk = true;
    this.shareMessage = 'Opened the shared code. Your own snippets are unchanged.';
    return true;
  }

  /** Removes the share from the address bar once opened (a reload then keeps later edits). */
  static clearShareHash(win: Window = window): void {
    if (shareParam(win.location.hash) === undefined) return;
    win.history.replaceState(win.history.state, '', withoutShare(win.location.href));
  }

  #sharedOf(doc: CodeDoc): SharedCode {
    const from = doc.id === SHARED_DOC_ID ? this.#sharedFrom : doc.id;
    return { snippet: from, language: doc.language, code: doc.code };
  }

  #sharedFrom = '';

  #addShared(shared: SharedCode, save: boolean): void {
    const base = findSnippet(shared.snippet);
    this.#sharedFrom = shared.snippet;
    const snippet: Snippet = {
      id: SHARED_DOC_ID,
      title: `Shared: ${base?.title ?? 'code'}`,
      description: base ? `Someone's version of "${base.title}", from a link.` : 'Code opened from a link.',
      kind: base?.kind ?? 'client',
      language: shared.language,
      code: shared.code,
    };
    const doc = new CodeDoc(snippet, shared.code);
    const i = this.docs.findIndex((d) => d.id === SHARED_DOC_ID);
    if (i === -1) this.docs.unshift(doc);
    else this.docs[i] = doc;
    const model = this.#models.get(SHARED_DOC_ID);
    if (model) {
      model.dispose();
      this.#models.delete(SHARED_DOC_ID);
    }
    if (save) this.save(SHARED_DOC_ID);
  }
}
