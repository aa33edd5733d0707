/**
 * The lesson player's state: which lesson and step are shown, the learner's progress (kept by
 * ProgressStore), and the live results of the lesson's checks, re-run shortly after anything
 * new crosses the wire (as Flexbox Froggy re-checks after typing stops). It drives the panels
 * the learner already knows: the lab (open an endpoint), the inspector (select a frame, show the
 * handshake, paste bytes) and the code area (open the lesson's file).
 */
import { uncompressedUrl } from '../../loopback/mode.ts';
import {
  COURSE,
  findLesson,
  loadLesson,
  type LessonEntry,
  type LoadedLesson,
} from '../../lessons/catalog.ts';
import { ProgressStore, statusOf, type LessonProgress, type LessonStatus } from '../../lessons/progress.ts';
import { NO_RESULTS, runTasks } from '../../lessons/runner.ts';
import { traceToJson } from '../../lessons/trace-json.ts';
import type {
  Block,
  FrameRef,
  HttpRecord,
  Step,
  TaskResult,
  Trace,
  TraceConnection,
} from '../../lessons/types.ts';
import type { CodeWorkspace } from '../code/workspace.svelte.ts';
import { lessonDocId } from '../code/doc-id.ts';
import type { InspectorFocus } from '../inspector/focus.svelte.ts';
import { inspectorFor } from '../inspector/inspector.svelte.ts';
import type { Lab } from '../lab/lab.svelte.ts';
import type { LabConnection } from '../connection/lab-connection.svelte.ts';
import { collectTrace } from './collect.ts';
import { HttpLog } from './http-log.ts';
import { parseLessonHash, lessonHash, PAGE } from './links.ts';
import { runProbe } from './probe.ts';

/** Milliseconds of quiet on the wire before the checks run again. */
export const CHECK_DELAY_MS = 250;

export interface PlayerDeps {
  lab: Lab;
  focus: InspectorFocus;
  /** The code area, once it exists (lessons with code open files in it). */
  workspace?: () => CodeWorkspace | undefined;
  /** Loads the code area (it loads on demand); resolves to its workspace, undefined if it failed. */
  loadCode?: () => Promise<CodeWorkspace | undefined>;
  /** Asks the layout to unfold the code area. */
  revealCode?: () => void;
  store?: ProgressStore;
  now?: () => number;
}

export class LessonPlayer {
  readonly course: readonly LessonEntry[] = COURSE;
  /** The lesson shown; undefined: the table of contents. */
  lessonId = $state<string | undefined>(undefined);
  loaded = $state.raw<LoadedLesson | undefined>(undefined);
  loading = $state(false);
  loadError = $state('');
  /** The whole lesson on one page (the reference view) instead of one step at a time. */
  reading = $state(false);
  /** Bumps whenever progress changes (the store is plain TS). */
  #progressVersion = $state(0);
  results = $state.raw<ReadonlyMap<string, TaskResult>>(NO_RESULTS);
  /** The trace the results were computed from. */
  trace = $state.raw<Trace | undefined>(undefined);
  /** The lesson's probe is running (a "Check" of the learner's server). */
  probing = $state(false);
  probeMessage = $state('');
  /** One line for the learner after an action (reset, import, a frame that is gone). */
  notice = $state('');

  readonly store: ProgressStore;
  /** The lab's plain HTTP exchanges (the polling lesson): they join the trace like its connections. */
  readonly http = new HttpLog();
  readonly #d: PlayerDeps;
  readonly #now: () => number;
  /** Trace connection id -> the session it came from (to reveal a frame). */
  #sessions: ReadonlyMap<string, LabConnection> = new Map<string, LabConnection>(); // eslint-disable-line svelte/prefer-svelte-reactivity -- replaced whole, never mutated
  #probes: TraceConnection[] = [];
  /** Console lines of walkthroughs played in the page (page-play.ts), with their time. */
  #logged: { t: number; text: string }[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(deps: PlayerDeps) {
    this.#d = deps;
    this.store = deps.store ?? new ProgressStore();
    this.#now = deps.now ?? Date.now;
    this.http.subscribe(() => this.schedule());
  }

  // ---- what is shown ------------------------------------------------------------------------

  get entry(): LessonEntry | undefined {
    return this.lessonId ? findLesson(this.lessonId) : undefined;
  }

  get progress(): LessonProgress | undefined {
    void this.#progressVersion;
    return this.lessonId ? this.store.get(this.lessonId) : undefined;
  }

  status(id: string): LessonStatus {
    void this.#progressVersion;
    return statusOf(this.store.get(id));
  }

  get steps(): readonly Step[] {
    return this.loaded?.content.steps ?? [];
  }

  get stepIndex(): number {
    return Math.min(this.progress?.step ?? 0, Math.max(0, this.steps.length - 1));
  }

  get step(): Step | undefined {
    return this.steps[this.stepIndex];
  }

  /** Course progress for the table of contents: lessons passed, of all. */
  get passedCount(): number {
    void this.#progressVersion;
    return this.course.filter((l) => statusOf(this.store.get(l.meta.id)) === 'passed').length;
  }

  #change(fn: (p: LessonProgress) => void): void {
    if (!this.lessonId) return;
    this.store.update(this.lessonId, fn, this.#now());
    this.#progressVersion++;
  }

  // ---- navigation ---------------------------------------------------------------------------

  /** Opens a lesson (at its saved step, or `step` by id or index). */
  async open(id: string, step?: string | number): Promise<boolean> {
    const entry = findLesson(id);
    if (!entry) {
      this.notice = `There is no lesson "${id}": pick one from the list.`;
      this.lessonId = undefined;
      return false;
    }
    this.lessonId = id;
    this.loadError = '';
    this.notice = '';
    this.results = NO_RESULTS;
    this.#probes = [];
    this.activeInput = undefined;
    if (!this.store.get(id)) this.#change(() => {});
    this.loading = true;
    try {
      const loaded = await loadLesson(entry);
      if (this.lessonId !== id) return false;
      this.loaded = loaded;
    } catch (error) {
      this.loadError = `The lesson could not be loaded: ${error instanceof Error ? error.message : String(error)}. Check your connection and try again.`;
      return false;
    } finally {
      this.loading = false;
    }
    this.reading = step === PAGE;
    if (step !== undefined && step !== PAGE) this.go(step);
    this.check();
    return true;
  }

  /** Switches between one step at a time and the whole lesson as one page. */
  read(onePage: boolean): void {
    this.reading = onePage;
  }

  /** Back to the table of contents. */
  close(): void {
    this.lessonId = undefined;
    this.loaded = undefined;
    this.results = NO_RESULTS;
  }

  go(step: string | number): void {
    const i = typeof step === 'number' ? step : this.steps.findIndex((s) => s.id === step);
    if (i < 0 || i >= this.steps.length) return;
    this.#change((p) => (p.step = i));
  }

  next(): void {
    if (this.stepIndex < this.steps.length - 1) this.go(this.stepIndex + 1);
  }

  previous(): void {
    if (this.stepIndex > 0) this.go(this.stepIndex - 1);
  }

  /** The lesson after this one, if any. */
  get following(): LessonEntry | undefined {
    const i = this.course.findIndex((l) => l.meta.id === this.lessonId);
    return i === -1 ? undefined : this.course[i + 1];
  }

  /** `#lesson=<id>/<step>` for the lesson and step shown (empty for the contents). */
  get hash(): string {
    if (!this.lessonId) return '';
    return lessonHash(this.lessonId, this.reading ? PAGE : this.step?.id);
  }

  /** Follows a deep link; true when the hash named a lesson. */
  async openHash(hash: string): Promise<boolean> {
    const link = parseLessonHash(hash);
    if (!link) return false;
    return this.open(link.lesson, link.step);
  }

  // ---- the learner's part -------------------------------------------------------------------

  predict(id: string, answer: string): void {
    const text = answer.trim();
    if (!text || this.progress?.predictions[id] !== undefined) return; // locked once given
    this.#change((p) => (p.predictions[id] = text));
  }

  /** Unlocks the next hint of a step. */
  hint(stepId: string, available: number): void {
    this.#change((p) => (p.hints[stepId] = Math.min(available, (p.hints[stepId] ?? 0) + 1)));
  }

  /** Keeps what the learner typed into a decode widget (and checks it). */
  input(name: string, text: string): void {
    if (this.progress?.inputs[name] === text) return;
    this.#change((p) => (p.inputs[name] = text));
    this.schedule();
  }

  skip(): void {
    this.#change((p) => (p.skipped = true));
  }

  /** The code area's workspace, loading it first if it has not loaded yet. */
  async codeArea(): Promise<CodeWorkspace | undefined> {
    return this.#d.workspace?.() ?? (await this.#d.loadCode?.());
  }

  /** Shows the solution (the learner confirmed): the lesson counts as seen, not passed. */
  showSolution(): void {
    const loaded = this.loaded;
    if (!loaded || !this.lessonId) return;
    this.#change((p) => (p.solutionSeen = true));
    const ws = this.#d.workspace?.();
    const files = Object.entries(loaded.content.code.solution);
    if (!ws && files.length > 0) {
      // The code area is still loading: the solution goes there once it has.
      const id = this.lessonId;
      void this.codeArea().then((area) => {
        if (area && this.lessonId === id) this.showSolution();
      });
      return;
    }
    for (const [file, code] of files) {
      if (!ws) break;
      const doc = this.openFile(file);
      if (doc) ws.replaceCode(doc, code);
    }
  }

  /** The walkthrough is playing in the page ("Do it for me"). */
  demonstrating = $state(false);

  /**
   * Shows the solution by doing it: the lesson's walkthrough plays in the page, through the lab
   * and the code area, on the real wire (the learner confirmed: the lesson counts as seen).
   */
  async demonstrate(): Promise<void> {
    const id = this.lessonId;
    if (!id || this.demonstrating) return;
    this.showSolution();
    this.demonstrating = true;
    try {
      const { playInPage } = await import('./page-play.ts');
      await playInPage(this.#d.lab, this, this.#d.workspace ?? (() => undefined), id, 'solution');
      this.notice = 'Done: every step above was played on the wire. Open its frames in the inspector.';
    } catch (error) {
      this.notice = `The walkthrough stopped: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      this.demonstrating = false;
    }
  }

  /** Starts the lesson again: progress, predictions, hints and its code; old connections no longer count. */
  reset(): void {
    if (!this.lessonId) return;
    const id = this.lessonId;
    this.store.reset(id, this.#now());
    this.#progressVersion++;
    const ws = this.#d.workspace?.();
    for (const [file, code] of Object.entries(this.loaded?.content.code.start ?? {})) {
      const doc = ws?.doc(lessonDocId(id, file));
      if (doc) ws?.replaceCode(doc.id, code);
    }
    this.#probes = [];
    this.notice = 'The lesson starts again: earlier connections no longer count.';
    this.check();
  }

  resetAll(): void {
    this.store.resetAll();
    this.#progressVersion++;
    this.close();
    this.notice = 'All progress was cleared.';
  }

  /** What the checks read right now, as a file (for a question to a teacher, or a bug report). */
  traceFile(): string | undefined {
    return this.trace ? traceToJson(this.trace) : undefined;
  }

  importProgress(text: string): boolean {
    const ok = this.store.import(text);
    this.#progressVersion++;
    this.notice = this.store.message;
    if (ok && this.lessonId) void this.open(this.lessonId);
    return ok;
  }

  // ---- driving the panels -------------------------------------------------------------------

  /** Opens an endpoint in the lab: a fresh tab, connected (as the learner's own Connect would). */
  openLab(block: Extract<Block, { kind: 'lab' }>): void {
    const { lab } = this.#d;
    // Lessons teach RFC 6455 framing: no permessage-deflate (see uncompressedUrl).
    const url = uncompressedUrl(lab.transport.endpointUrl(block.endpoint));
    // The active tab when it has never connected (the lab's first, idle tab), else a new one.
    const idle = lab.active && !lab.active.session ? lab.active : undefined;
    const tab = idle ?? lab.addTab(url);
    tab.url = url;
    tab.protocols = block.protocols.join(', ');
    if (!tab.connect()) this.notice = 'The lab is still starting; press Connect in the lab when it is ready.';
    this.#d.focus.show('frames');
  }

  showHandshake(): void {
    this.#d.focus.show('handshake');
  }

  /** The decode widget whose bytes are being recorded (`input=NAME`), if any. */
  activeInput = $state<string | undefined>(undefined);

  /** Opens Paste & decode with the widget's bytes (the learner's own, when they typed some before). */
  decodeInput(block: Extract<Block, { kind: 'decode' }>): void {
    const mine = block.input ? this.progress?.inputs[block.input] : undefined;
    this.activeInput = block.input;
    const text = mine ?? block.hex;
    if (text) this.#d.focus.paste(text);
    else this.#d.focus.show('paste');
  }

  /** Paste & decode changed: keep it if a decode widget is recording. */
  pasted(text: string): void {
    if (this.activeInput) this.input(this.activeInput, text);
  }

  /** Opens a lesson file in the code area; returns the document id. */
  openFile(file: string): string | undefined {
    const loaded = this.loaded;
    const ws = this.#d.workspace?.();
    if (loaded && !ws && this.lessonId && this.#d.loadCode) {
      // The code area loads on demand: the file opens once it has (or the area says why not).
      const id = this.lessonId;
      this.notice = 'Opening the code area…';
      this.#d.revealCode?.();
      void this.codeArea().then((area) => {
        if (this.notice === 'Opening the code area…') this.notice = '';
        if (area && this.lessonId === id) this.openFile(file);
      });
      return undefined;
    }
    if (!loaded || !ws || !this.lessonId) {
      this.notice = 'The code area is not ready yet.';
      return undefined;
    }
    const start = loaded.content.code.start[file] ?? loaded.content.code.solution[file] ?? '';
    const code = loaded.content.meta.needs.code;
    const kind = file.includes('server') || code === 'server' ? 'server' : 'client';
    const doc = ws.openLessonFile({
      lessonId: this.lessonId,
      lessonTitle: loaded.content.meta.title,
      file,
      start,
      kind,
    });
    this.#d.revealCode?.();
    return doc.id;
  }

  /** Selects the frame a result points at, in its connection's tab, with the field highlighted. */
  reveal(ref: FrameRef): void {
    const session = this.#sessions.get(ref.connection);
    const row = session?.log.frames.find((f) => f.event === ref.event);
    if (!session || !row) {
      this.notice = 'That frame is no longer in the lab (its connection was closed from the list).';
      return;
    }
    this.#d.lab.reveal(session);
    const insp = inspectorFor(session);
    insp.follow = false;
    insp.select(row.id, ref.field);
    this.#d.focus.show('frames');
  }

  /** One plain HTTP GET of a bundled path in the lab's mode ('/poll?since=3'), kept for the checks. */
  fetchHttp(path: string, signal?: AbortSignal): Promise<HttpRecord> {
    return this.http.get(this.#d.lab.transport, path, signal);
  }

  /** Opens a bundled endpoint in a new lab tab (a lesson widget's own socket); undefined if it could not. */
  openSocket(path: string): LabConnection | undefined {
    const { lab } = this.#d;
    const tab = lab.addTab(lab.transport.endpointUrl(path));
    return tab.connect() ? tab.session : undefined;
  }

  // ---- checking -----------------------------------------------------------------------------

  /** Re-checks soon (called when the wire or an input changed). */
  schedule(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.check(), CHECK_DELAY_MS);
  }

  /** Runs every task of the lesson on what happened since it began. */
  check(): void {
    const loaded = this.loaded;
    const progress = this.progress;
    if (!loaded || !progress) return;
    const { trace, sessions } = collectTrace(this.#d.lab, {
      since: progress.since,
      inputs: progress.inputs,
      probes: this.#probes,
      console: this.#consoleSince(progress.since),
      http: this.http.since(progress.since),
    });
    this.#sessions = sessions;
    const results = runTasks(loaded.checks, trace);
    this.trace = trace;
    this.results = results;
    const newly = [...results].filter(([id, r]) => r.ok && !progress.passed.includes(id)).map(([id]) => id);
    const all = loaded.checks.tasks.every((t) => results.get(t.id)?.ok || progress.passed.includes(t.id));
    if (newly.length > 0 || (all && !progress.done && !progress.solutionSeen))
      this.#change((p) => {
        p.passed.push(...newly);
        if (all && !p.solutionSeen) p.done = true;
      });
  }

  /** A console line of a walkthrough played in the page: it counts like the learner's code's. */
  log(text: string): void {
    this.#logged.push({ t: this.#now(), text });
    console.log(text);
  }

  /** Console lines since `since`: the learner's code runs' (uncaught errors included) and walkthroughs'. */
  #consoleSince(since: number): string[] {
    const lines = this.#logged.filter((l) => l.t >= since);
    for (const run of this.#d.workspace?.()?.runs ?? []) {
      if (run.startedAt < since) continue;
      for (const e of run.console.entries) if (e.level !== 'system') lines.push({ t: e.at, text: e.text });
    }
    return lines.sort((a, b) => a.t - b.t).map((l) => l.text);
  }

  /** Runs the lesson's probe (it connects to the learner's server), then checks. */
  async probe(): Promise<void> {
    const probe = this.loaded?.checks.probe;
    if (!probe || this.probing) return;
    this.probing = true;
    this.probeMessage = '';
    try {
      this.#probes = await runProbe(probe, this.#d.lab.transport.label);
      this.probeMessage = `Tested with ${this.#probes.length} fresh connection${this.#probes.length === 1 ? '' : 's'}.`;
    } catch (error) {
      this.probeMessage = `The test could not run: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      this.probing = false;
    }
    this.check();
  }

  /** A task passed now or earlier in this lesson (a step stays passed once it passed). */
  passed(taskId: string): boolean {
    return this.results.get(taskId)?.ok === true || (this.progress?.passed.includes(taskId) ?? false);
  }

  /** Every task the step checks has passed (a step without checks counts as passed). */
  stepPassed(step: Step | undefined): boolean {
    if (!step) return false;
    return checkedTasks(step.blocks).every((id) => this.passed(id));
  }

  dispose(): void {
    clearTimeout(this.#timer);
  }
}

/** The task ids a list of blocks checks, weird experiments included. */
export function checkedTasks(blocks: readonly Block[]): string[] {
  return blocks.flatMap((b) =>
    b.kind === 'check' ? b.tasks : b.kind === 'weird' ? checkedTasks(b.blocks) : [],
  );
}
