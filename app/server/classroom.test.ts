/** The classroom on the real Node server, with `ws` clients (students on 127.0.0.x addresses). */
import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import type { DashboardState } from '../services/classroom-protocol.ts';
import { createClassroomHost } from './classroom.ts';
import { closed, inboxOf, openWs, sleep, testServers, wsUrl, type Inbox } from './test-helpers.ts';

const servers = testServers();
const SECRET = 'test-secret-123';

async function start(chat: Parameters<typeof createClassroomHost>[0] = {}) {
  const host = createClassroomHost({ secret: SECRET, ...chat });
  const server = await servers.start({ classroom: host });
  return { host, server };
}

/** A socket from a given local address (each 127.0.0.x is a different "laptop"). */
async function from(address: string, url: string): Promise<WebSocket> {
  const ws = await openWs(url, undefined, { localAddress: address });
  servers.later(() => ws.terminate());
  return ws;
}

async function nextJson(inbox: Inbox, type: string, timeoutMs = 3_000): Promise<Record<string, unknown>> {
  for (;;) {
    const m = await inbox.next(timeoutMs);
    if (typeof m.data !== 'string') continue;
    const o = JSON.parse(m.data) as Record<string, unknown>;
    if (o.type === type) return o;
  }
}

async function stateUntil(inbox: Inbox, ok: (s: DashboardState) => boolean): Promise<DashboardState> {
  for (;;) {
    const s = (await nextJson(inbox, 'state')) as unknown as DashboardState;
    if (ok(s)) return s;
  }
}

describe('classroom server', () => {
  it('closes a dashboard without the secret with 1008 and a reason, sending nothing first', async () => {
    const { server } = await start();
    for (const query of ['', '?key=wrong', `?key=${SECRET}x`]) {
      const ws = await openWs(wsUrl(server, `/__classroom/dashboard${query}`));
      const c = await closed(ws);
      expect(c.code).toBe(1008);
      expect(c.reason).toMatch(/wrong or missing secret/);
      expect(inboxOf(ws).messages).toEqual([]);
    }
  });

  it("shows a student's name and progress on the dashboard as they report it", async () => {
    const { server } = await start();
    const dash = await from('127.0.0.1', wsUrl(server, `/__classroom/dashboard?key=${SECRET}`));
    const student = await from('127.0.0.2', wsUrl(server, '/__classroom'));
    await nextJson(inboxOf(student), 'welcome');
    student.send(JSON.stringify({ type: 'hello', name: 'Ada' }));
    student.send(
      JSON.stringify({
        type: 'progress',
        lesson: 'handshake',
        step: 2,
        steps: 5,
        passed: 1,
        tasks: 3,
        failing: 'accept-key',
        lessonsPassed: 1,
      }),
    );
    const s = await stateUntil(inboxOf(dash), (s) =>
      s.students.some((r) => r.report?.lesson === 'handshake'),
    );
    const row = s.students.find((r) => r.name === 'Ada');
    expect(row).toMatchObject({
      address: '127.0.0.2',
      sockets: 1,
      report: { lesson: 'handshake', step: 2, passed: 1, tasks: 3, failing: 'accept-key' },
    });
    expect(s.chat.limits).toEqual({ rate: 20, maxMessageSize: 16384, queueBytes: 262144 });
  });

  it('marks a student stuck when the same check keeps failing past the threshold', async () => {
    const { server } = await start({ stuckAfterMs: 1_000 });
    const dash = await from('127.0.0.1', wsUrl(server, `/__classroom/dashboard?key=${SECRET}`));
    const student = await from('127.0.0.3', wsUrl(server, '/__classroom'));
    const report = {
      type: 'progress',
      lesson: 'masking',
      step: 1,
      steps: 4,
      passed: 0,
      tasks: 1,
      lessonsPassed: 0,
    };
    student.send(JSON.stringify({ ...report, failing: 'unmask' }));
    await sleep(1_100);
    student.send(JSON.stringify({ ...report, failing: 'unmask' }));
    const s = await stateUntil(inboxOf(dash), (s) => s.students.some((r) => r.stuck));
    expect(s.students[0]?.stuck?.task).toBe('unmask');
    // A different failing task starts the clock again.
    student.send(JSON.stringify({ ...report, failing: 'other' }));
    const next = await stateUntil(inboxOf(dash), (s) => s.students[0]?.report?.failing === 'other');
    expect(next.students[0]?.stuck).toBeUndefined();
  });

  it('sends an announcement and a go-to-step to every student page', async () => {
    const { server } = await start();
    const dash = await from('127.0.0.1', wsUrl(server, `/__classroom/dashboard?key=${SECRET}`));
    const students = await Promise.all(
      ['127.0.0.4', '127.0.0.5', '127.0.0.6'].map((a) => from(a, wsUrl(server, '/__classroom'))),
    );
    await stateUntil(inboxOf(dash), (s) => s.students.length === 3);
    dash.send(JSON.stringify({ type: 'announce', text: 'Break until 11:00' }));
    dash.send(JSON.stringify({ type: 'goto', lesson: 'masking', step: 3 }));
    for (const s of students) {
      expect(await nextJson(inboxOf(s), 'announce')).toMatchObject({ text: 'Break until 11:00' });
      expect(await nextJson(inboxOf(s), 'goto')).toEqual({ type: 'goto', lesson: 'masking', step: 3 });
    }
  });

  it('answers a command it does not understand with an error, and keeps going', async () => {
    const { server } = await start();
    const dash = await from('127.0.0.1', wsUrl(server, `/__classroom/dashboard?key=${SECRET}`));
    dash.send('{"type":"goto","lesson":"x","step":-1}');
    expect(await nextJson(inboxOf(dash), 'error')).toMatchObject({ text: /not understood/ });
    dash.send('not json');
    expect(await nextJson(inboxOf(dash), 'error')).toBeDefined();
  });

  it("mutes one student's /chat messages (they are told), while the others still chat", async () => {
    const { server } = await start();
    const dash = await from('127.0.0.1', wsUrl(server, `/__classroom/dashboard?key=${SECRET}`));
    const page = await from('127.0.0.7', wsUrl(server, '/__classroom'));
    const noisy = await from('127.0.0.7', wsUrl(server, '/chat'));
    const other = await from('127.0.0.8', wsUrl(server, '/chat'));
    const { id } = (await nextJson(inboxOf(page), 'welcome')) as { id: string };
    dash.send(JSON.stringify({ type: 'mute', student: id, muted: true }));
    await stateUntil(inboxOf(dash), (s) => s.students.some((r) => r.id === id && r.muted));
    noisy.send('spam');
    expect(await nextJson(inboxOf(noisy), 'moderation')).toMatchObject({ text: /muted/ });
    other.send('hello');
    expect((await inboxOf(other).nextData()).data).toBe('hello');
    expect((await inboxOf(noisy).nextData()).data).toBe('hello');
    expect(inboxOf(other).messages.some((m) => m.data === 'spam')).toBe(false);
    dash.send(JSON.stringify({ type: 'mute', student: id, muted: false }));
    await stateUntil(inboxOf(dash), (s) => s.students.some((r) => r.id === id && !r.muted));
    noisy.send('back');
    expect((await inboxOf(other).nextData()).data).toBe('back');
  });

  it('slow mode drops a second message within the interval and tells its sender; clear empties the history', async () => {
    const { server } = await start();
    const dash = await from('127.0.0.1', wsUrl(server, `/__classroom/dashboard?key=${SECRET}`));
    const a = await from('127.0.0.9', wsUrl(server, '/chat'));
    dash.send(JSON.stringify({ type: 'slow', seconds: 30 }));
    await stateUntil(inboxOf(dash), (s) => s.chat.slowSeconds === 30);
    a.send('one');
    expect((await inboxOf(a).nextData()).data).toBe('one');
    a.send('two');
    expect(await nextJson(inboxOf(a), 'moderation')).toMatchObject({ slow: 30 });
    dash.send(JSON.stringify({ type: 'clear' }));
    expect(await nextJson(inboxOf(a), 'cleared')).toBeDefined();
    const late = await from('127.0.0.10', wsUrl(server, '/chat'));
    await sleep(100);
    expect(inboxOf(late).messages.filter((m) => m.data === 'one')).toEqual([]);
  });

  it('closes a /chat flooder with 1008 and an oversized message with 1009, others unaffected', async () => {
    const { server } = await start({ chat: { rate: 5, maxMessageSize: 1000 } });
    const flooder = await from('127.0.0.11', wsUrl(server, '/chat'));
    const big = await from('127.0.0.12', wsUrl(server, '/chat'));
    const calm = await from('127.0.0.13', wsUrl(server, '/chat'));
    for (let i = 0; i < 50; i++) flooder.send(`f${i}`);
    expect((await closed(flooder)).code).toBe(1008);
    big.send('x'.repeat(1001));
    expect((await closed(big)).code).toBe(1009);
    calm.send('still here');
    const got: unknown[] = [];
    for (;;) {
      const m = await inboxOf(calm).nextData();
      got.push(m.data);
      if (m.data === 'still here') break;
    }
    expect(got.filter((d) => typeof d === 'string' && d.startsWith('f')).length).toBeLessThanOrEqual(5);
  });

  it('answers the page probe with {"classroom":true}', async () => {
    const { server } = await start();
    const r = await fetch(`http://127.0.0.1:${server.port}/__classroom/info`);
    expect(await r.json()).toEqual({ classroom: true });
  });

  it('serve (no classroom) has no probe answer and no classroom endpoints', async () => {
    const server = await servers.start();
    const r = await fetch(`http://127.0.0.1:${server.port}/__classroom/info`);
    expect(r.headers.get('content-type') ?? '').not.toMatch(/json/);
    await expect(openWs(wsUrl(server, '/__classroom'))).rejects.toThrow(/404/);
  });
});
