/**
 * A student page in a classroom. Loaded only when the page is served by our server (App asks
 * once the transport probe found it), and it connects only when that server answers
 * `GET __classroom/info` with `{"classroom":true}` (`npm run classroom`): on `serve`, Vite and
 * the static site nothing is sent anywhere.
 * The page's own socket to `/__classroom` says hello with the student's name, reports the lesson,
 * step and checks shown (at most twice a second, only when they change), and hears the
 * instructor: an announcement shows as a banner, "go to lesson N, step S" opens it.
 */
import {
  CLASSROOM_PATH,
  MAX_NAME,
  parseToStudent,
  type ProgressReport,
} from '../../services/classroom-protocol.ts';
import { classroomSocketUrl } from './probe.ts';
import { GOTO_EVENT, type GotoDetail } from '../lesson/goto.ts';

export const NAME_KEY = 'wsp.classroom.name';
const REPORT_EVERY_MS = 500;
const RETRY_MS = [1_000, 2_000, 5_000, 10_000];

function savedName(): string {
  try {
    return localStorage.getItem(NAME_KEY) ?? '';
  } catch {
    return '';
  }
}

export class StudentLink {
  /** 'connecting' until the socket opens; 'offline' while it retries. */
  status = $state<'connecting' | 'online' | 'offline'>('connecting');
  name = $state('');
  announcement = $state<{ text: string; t: number } | undefined>(undefined);
  /** The last "go to" the instructor sent, for the banner. */
  moved = $state('');
  readonly #base: string;
  #ws: WebSocket | undefined;
  #report: ProgressReport | undefined;
  #sentReport = '';
  #timer: ReturnType<typeof setTimeout> | undefined;
  #attempt = 0;
  #stopped = false;

  constructor(base: string = document.baseURI) {
    this.#base = base;
    this.name = savedName();
  }

  start(): void {
    if (this.#stopped) return;
    const ws = new WebSocket(classroomSocketUrl(CLASSROOM_PATH, this.#base));
    this.#ws = ws;
    this.status = 'connecting';
    ws.addEventListener('open', () => {
      this.#attempt = 0;
      this.status = 'online';
      if (this.name) ws.send(JSON.stringify({ type: 'hello', name: this.name }));
      this.#sentReport = '';
      this.#flush();
    });
    ws.addEventListener('message', (e) => {
      if (typeof e.data !== 'string') return;
      const m = parseToStudent(e.data);
      if (!m) return;
      if (m.type === 'welcome') this.name = m.name;
      else if (m.type === 'announce') this.announcement = { text: m.text, t: m.t };
      else {
        this.moved = `The instructor moved everyone to lesson "${m.lesson}", step ${m.step}.`;
        dispatchEvent(
          new CustomEvent<GotoDetail>(GOTO_EVENT, { detail: { lesson: m.lesson, step: m.step } }),
        );
      }
    });
    ws.addEventListener('close', () => {
      if (this.#ws !== ws || this.#stopped) return;
      this.status = 'offline';
      const wait = RETRY_MS[Math.min(this.#attempt++, RETRY_MS.length - 1)] ?? 10_000;
      setTimeout(() => this.start(), wait);
    });
  }

  /** The student picks a name (kept in this browser for the next visit). */
  rename(name: string): void {
    const clean = name.trim().slice(0, MAX_NAME);
    if (!clean) return;
    this.name = clean;
    try {
      localStorage.setItem(NAME_KEY, clean);
    } catch {
      // storage disabled: the name holds for this visit
    }
    if (this.#ws?.readyState === WebSocket.OPEN)
      this.#ws.send(JSON.stringify({ type: 'hello', name: clean }));
  }

  report(report: ProgressReport): void {
    this.#report = report;
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      this.#flush();
    }, REPORT_EVERY_MS);
  }

  dismiss(): void {
    this.announcement = undefined;
    this.moved = '';
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#ws?.close(1000);
  }

  #flush(): void {
    if (!this.#report || this.#ws?.readyState !== WebSocket.OPEN) return;
    const text = JSON.stringify({ type: 'progress', ...this.#report });
    if (text === this.#sentReport) return;
    this.#sentReport = text;
    this.#ws.send(text);
  }
}
