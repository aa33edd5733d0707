/**
 * The classroom: two services hosted only by `classroom` (app/server/classroom.ts), written
 * against the engine like every other service.
 * - `/__classroom`: each student page's own socket. It says hello (a name), reports the lesson,
 *   step and checks it shows, and receives announcements and "go to lesson N, step S".
 * - `/__classroom/dashboard?key=SECRET`: the instructor's dashboard. Without the secret the
 *   connection is closed at once with 1008 and a reason saying so, before anything is sent.
 *   With it: the class's state (roster, progress, who is stuck, the /chat room and its limits)
 *   twice a second while something changes (at least every 5 s, for the clocks), and commands
 *   (announce, go to, mute, clear, slow mode).
 * A student is an IP address (a laptop): mute and the socket count are per address.
 */
import { ChatModeration, studentKey } from './chat-moderation.ts';
import type { ChatRoom } from './chat.ts';
import {
  CLASSROOM_PATH,
  DASHBOARD_PATH,
  parseDashboardCommand,
  parseStudentMessage,
  type DashboardState,
  type ProgressReport,
  type StudentRow,
  type ToStudent,
} from './classroom-protocol.ts';
import type { Service, ServiceSocket } from './service.ts';

/** The same check failing this long makes a student "stuck" (3 minutes). */
export const STUCK_AFTER_MS = 3 * 60_000;
const PUSH_EVERY_MS = 500;
const REFRESH_EVERY_MS = 5_000;

const ADJECTIVES = ['Blue', 'Quick', 'Calm', 'Bright', 'Brave', 'Kind', 'Keen', 'Bold', 'Wise', 'Swift'];
const ANIMALS = ['Otter', 'Heron', 'Lynx', 'Panda', 'Falcon', 'Koala', 'Badger', 'Gecko', 'Puffin', 'Bison'];

export interface ClassroomOptions {
  secret: string;
  room: ChatRoom;
  moderation: ChatModeration;
  now?: () => number;
  stuckAfterMs?: number;
}

export interface Classroom {
  readonly student: Service;
  readonly dashboard: Service;
  /** The host tells the classroom about every WebSocket that opens and closes (for the socket count). */
  connectionOpened(address: string): void;
  connectionClosed(address: string): void;
  /** The URLs students type (the projector view shows them with a QR code). */
  setJoinUrls(urls: readonly string[]): void;
  state(): DashboardState;
}

/** Compares without an early exit, so the time taken says nothing about the secret. */
export function sameSecret(given: string, secret: string): boolean {
  let diff = given.length ^ secret.length;
  for (let i = 0; i < secret.length; i++)
    diff |= secret.charCodeAt(i) ^ given.charCodeAt(i % Math.max(1, given.length));
  return diff === 0 && secret.length > 0;
}

interface Student {
  id: string;
  name: string;
  address: string;
  socket: ServiceSocket;
  report?: ProgressReport;
  lastActivity: number;
  failing?: { key: string; since: number };
}

export function createClassroom(options: ClassroomOptions): Classroom {
  const now = options.now ?? Date.now;
  const stuckAfterMs = options.stuckAfterMs ?? STUCK_AFTER_MS;
  const { moderation, room } = options;
  const students = new Map<string, Student>();
  const sockets = new Map<string, number>();
  const dashboards = new Set<ServiceSocket>();
  let version = 0;
  let nextStudent = 0;
  let joinUrls: string[] = [];
  const changed = (): void => void version++;
  moderation.onChange = changed;

  const toStudents = (message: ToStudent): void => {
    const text = JSON.stringify(message);
    for (const s of students.values()) if (s.socket.readyState === 'OPEN') s.socket.sendText(text);
  };

  function state(): DashboardState {
    const t = now();
    const names = new Map<string, string>();
    for (const s of students.values()) names.set(s.address, s.name);
    const rows: StudentRow[] = [...students.values()].map((s) => ({
      id: s.id,
      name: s.name,
      address: s.address,
      sockets: sockets.get(s.address) ?? 0,
      lastActivity: s.lastActivity,
      muted: moderation.muted.has(s.address),
      ...(s.report ? { report: s.report } : {}),
      ...(s.failing && t - s.failing.since >= stuckAfterMs
        ? { stuck: { task: s.failing.key.split('#')[2] ?? '', since: s.failing.since } }
        : {}),
    }));
    return {
      type: 'state',
      t,
      students: rows,
      chat: {
        lines: moderation.log.map((l) => ({ ...l, from: names.get(l.from) ?? l.from })),
        slowSeconds: moderation.slowSeconds,
        limits: { ...moderation.limits },
        members: room.members().length,
        skipped: moderation.skippedTotal,
        dropped: moderation.droppedTotal,
      },
      stuckAfterMs,
      joinUrls,
    };
  }

  function stuckCount(): number {
    const t = now();
    let n = 0;
    for (const s of students.values()) if (s.failing && t - s.failing.since >= stuckAfterMs) n++;
    return n;
  }

  function report(student: Student, r: ProgressReport): void {
    const t = now();
    student.report = r;
    student.lastActivity = t;
    // Stuck: the same task of the same step failing, report after report.
    const key = r.failing && r.lesson ? `${r.lesson}#${r.step}#${r.failing}` : undefined;
    if (!key) delete student.failing;
    else if (student.failing?.key !== key) student.failing = { key, since: t };
    changed();
  }

  const student: Service = {
    path: CLASSROOM_PATH,
    description: 'classroom: a student page reports its progress and hears the instructor',
    rate: 20,
    maxMessageSize: 4096,
    open(socket) {
      const id = `s${++nextStudent}`;
      const me: Student = {
        id,
        name: `${ADJECTIVES[nextStudent % ADJECTIVES.length]} ${ANIMALS[Math.floor(nextStudent / ADJECTIVES.length) % ANIMALS.length]}`,
        address: studentKey(socket),
        socket,
        lastActivity: now(),
      };
      students.set(id, me);
      changed();
      socket.sendText(JSON.stringify({ type: 'welcome', id, name: me.name } satisfies ToStudent));
      socket.on('message', (data) => {
        const m = typeof data === 'string' ? parseStudentMessage(data) : undefined;
        if (!m) return;
        if (m.type === 'hello') {
          if (m.name) me.name = m.name;
          me.lastActivity = now();
          socket.sendText(JSON.stringify({ type: 'welcome', id, name: me.name } satisfies ToStudent));
          changed();
        } else {
          const { type: _, ...r } = m;
          report(me, r);
        }
      });
      socket.on('close', () => {
        students.delete(id);
        changed();
      });
    },
  };

  const dashboard: Service = {
    path: DASHBOARD_PATH,
    description: "classroom: the instructor's dashboard (needs the secret)",
    maxMessageSize: 4096,
    open(socket, ctx) {
      if (!sameSecret(socket.query.get('key') ?? '', options.secret)) {
        // 7.4.1 1008: the secret is the policy; nothing about the class is sent first.
        ctx.log(`dashboard refused from ${socket.remote}: wrong or missing secret`);
        socket.close(1008, 'wrong or missing secret: open the dashboard link printed by npm run classroom');
        return;
      }
      dashboards.add(socket);
      let sent = -1;
      let sentAt = 0;
      let sentStuck = 0;
      const push = (force: boolean): void => {
        // Time alone makes a student stuck: a change in that count is news too.
        const stuck = stuckCount();
        if (!force && sent === version && sentStuck === stuck && now() - sentAt < REFRESH_EVERY_MS) return;
        sent = version;
        sentAt = now();
        sentStuck = stuck;
        socket.sendText(JSON.stringify(state()));
      };
      push(true);
      ctx.timers.setInterval(() => push(false), PUSH_EVERY_MS);
      socket.on('message', (data) => {
        const c = typeof data === 'string' ? parseDashboardCommand(data) : undefined;
        if (!c) {
          socket.sendText(JSON.stringify({ type: 'error', text: 'That command was not understood.' }));
          return;
        }
        switch (c.type) {
          case 'announce':
            toStudents({ type: 'announce', text: c.text, t: now() });
            ctx.log(`announcement to ${students.size} student(s): ${c.text}`);
            break;
          case 'goto':
            toStudents({ type: 'goto', lesson: c.lesson, step: c.step });
            ctx.log(`everyone to lesson ${c.lesson}, step ${c.step}`);
            break;
          case 'mute': {
            const who = students.get(c.student);
            if (!who) break;
            if (c.muted) moderation.muted.add(who.address);
            else moderation.muted.delete(who.address);
            ctx.log(`${c.muted ? 'muted' : 'unmuted'} ${who.name} (${who.address}) in /chat`);
            break;
          }
          case 'clear': {
            room.clear();
            moderation.clearLog();
            const notice = JSON.stringify({ type: 'cleared', text: 'The instructor cleared the chat.' });
            for (const m of room.members()) if (m.readyState === 'OPEN') m.sendText(notice);
            break;
          }
          case 'slow':
            moderation.slowSeconds = c.seconds;
            break;
        }
        changed();
        push(true);
      });
      socket.on('close', () => dashboards.delete(socket));
    },
  };

  return {
    student,
    dashboard,
    connectionOpened(address) {
      sockets.set(address, (sockets.get(address) ?? 0) + 1);
      changed();
    },
    connectionClosed(address) {
      const n = (sockets.get(address) ?? 1) - 1;
      if (n > 0) sockets.set(address, n);
      else sockets.delete(address);
      changed();
    },
    setJoinUrls(urls) {
      joinUrls = [...urls];
      changed();
    },
    state,
  };
}
