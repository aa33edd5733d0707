/**
 * The chat-room lesson's checks on real wires: the lab's part recorded from play.ts on the loopback's /chat,
 * and the learner's server played by reference rooms (services on a virtual network) that the
 * lesson's own probe joins, as it joins the learner's server in the page: a right room, the
 * start's (back to the sender only), and each classic mistake.
 */
import { describe, expect, test } from 'vitest';
import { recordLoopback, recordProbe, recordWalk } from '../../app/lessons/recorder.ts';
import { runTasks } from '../../app/lessons/runner.ts';
import {
  connection,
  frameEvent,
  opened,
  serverConnection,
  tasksUnderTest,
  trace,
} from '../../app/lessons/testing.ts';
import type { Trace } from '../../app/lessons/types.ts';
import { createChatService } from '../../app/services/chat.ts';
import type { Service, ServiceSocket } from '../../app/services/service.ts';
import checks, { roomProbe } from './checks.ts';
import play from './play.ts';

const { run: task, failure } = tasksUnderTest(checks);

interface RoomRules {
  /** Who gets a message: everyone, everyone but the sender, or the sender alone. */
  to?: 'all' | 'others' | 'sender';
  /** Pass the text on as a BINARY frame (ws's send(buffer) without { binary: isBinary }). */
  binary?: boolean;
  join?: boolean;
  leave?: boolean;
  /** Tag each message with a name, as many chat servers do. */
  prefix?: boolean;
}

/** A reference room written against the services API: the learner's server, right or wrong. */
function room(rules: RoomRules = {}): Service {
  const { to = 'all', binary = false, join = true, leave = true, prefix = false } = rules;
  const members = new Set<ServiceSocket>();
  const notice = (text: string) => {
    for (const m of members) if (m.readyState === 'OPEN') m.sendText(text);
  };
  return {
    path: '/',
    description: 'a reference room',
    open(socket) {
      members.add(socket);
      if (join) notice(JSON.stringify({ type: 'presence', joined: socket.id, online: members.size }));
      socket.on('message', (data) => {
        const text = typeof data === 'string' ? data : new TextDecoder().decode(data);
        const out = prefix ? `${socket.id}: ${text}` : text;
        for (const m of members) {
          if (m.readyState !== 'OPEN') continue;
          if (to === 'others' && m === socket) continue;
          if (to === 'sender' && m !== socket) continue;
          if (binary) m.sendBinary(new TextEncoder().encode(out));
          else m.sendText(out);
        }
      });
      socket.on('close', () => {
        members.delete(socket);
        if (leave) notice(JSON.stringify({ type: 'presence', left: socket.id, online: members.size }));
      });
    },
  };
}

const URL_8080 = 'ws://localhost:8080/';

function probed(service: Service): Promise<Trace> {
  return recordProbe((kit) => roomProbe(kit, URL_8080), { services: new Map([['/', service]]) });
}

describe('the bundled /chat, in the lab', () => {
  test('two tabs, one message: room-fanout and room-presence pass on the recorded solution', async () => {
    const t = await recordWalk(play.solution);
    expect(task('room-fanout', t)).toMatchObject({
      ok: true,
      observed: expect.stringMatching(/came back on 2 connections, the sender's too/),
    });
    expect(task('room-presence', t)).toMatchObject({
      ok: true,
      observed: expect.stringContaining('"type":"presence"'),
    });
  });

  test('nothing opened (the start): room-fanout asks for two tabs', async () => {
    const t = await recordWalk(play.start);
    expect(failure('room-fanout', t).seen).toBe('0 open connections to /chat: open it a second time');
    expect(failure('room-presence', t).seen).toBe('0 open connections to /chat');
  });

  test('one tab only: its message came back, but the check wants a second tab', async () => {
    const t = await recordLoopback(async (lab) => {
      const ws = lab.open('/chat');
      await lab.until(() => ws.readyState === 1);
      ws.send('alone');
      await lab.wait(100);
    });
    expect(failure('room-fanout', t).seen).toBe('1 open connection to /chat: open it a second time');
  });

  test('two tabs, but the message was sent before the second opened', async () => {
    const t = await recordLoopback(async (lab) => {
      const a = lab.open('/chat');
      await lab.until(() => a.readyState === 1);
      a.send('too early');
      await lab.wait(200);
      const b = lab.open('/chat');
      await lab.until(() => b.readyState === 1);
      await lab.wait(200);
    });
    expect(failure('room-fanout', t).seen).toBe(
      'every message was sent while only one tab was open: send one while both are',
    );
  });

  test("server mode: Chromium's tabs on our server's shared room, with a stranger's traffic, pass", () => {
    const key = 'AAAAAAAAAAAAAAAAAAAAAA==';
    const a = serverConnection(
      'c1',
      '/chat',
      [
        frameEvent(1004, 'server', 1, '{"type":"presence","online":5,"joined":"c40"}'),
        frameEvent(1300, 'server', 1, 'a stranger says hi'),
        frameEvent(2003, 'server', 1, '{"type":"presence","online":6,"joined":"c41"}'),
        frameEvent(2500, 'client', 1, 'hello room'),
        frameEvent(2502, 'server', 1, 'hello room'),
      ],
      { t0: 1000, key },
    );
    const b = serverConnection(
      'c2',
      '/chat',
      [
        frameEvent(2003, 'server', 1, '{"type":"presence","online":6,"joined":"c41"}'),
        frameEvent(2502, 'server', 1, 'hello room'),
      ],
      { t0: 2000, key },
    );
    const t = trace([a, b], { mode: 'server' });
    expect(task('room-fanout', t)).toMatchObject({ ok: true });
    expect(task('room-presence', t)).toMatchObject({
      ok: true,
      observed: 'your first tab was told: \'{"type":"presence","online":6,"joined":"c41"}\'',
    });
  });
});

describe("the learner's server, joined by the lesson's probe", () => {
  test('a right room passes broadcast, presence-join and presence-leave', async () => {
    const t = await probed(room());
    expect(t.connections.map((c) => c.origin)).toEqual(['probe', 'probe', 'probe']);
    expect(task('broadcast', t)).toMatchObject({
      ok: true,
      observed: '2 messages, each delivered to all 3 clients in the room, the sender included',
    });
    expect(task('presence-join', t)).toMatchObject({
      ok: true,
      observed: expect.stringMatching(/^probe client B joined; 3 notices reached the others/),
    });
    expect(task('presence-leave', t)).toMatchObject({
      ok: true,
      observed: expect.stringMatching(/^probe client C left; 2 notices reached the others/),
    });
  });

  test('the bundled /chat, as a room, passes too (history, ids and all)', async () => {
    const t = await probed(createChatService());
    for (const id of ['broadcast', 'presence-join', 'presence-leave'])
      expect(task(id, t)).toMatchObject({ ok: true });
  });

  test('a server that names the sender in each message still broadcasts', async () => {
    const t = await probed(room({ prefix: true }));
    expect(task('broadcast', t)).toMatchObject({ ok: true });
  });

  test("the start's server (back to the sender only): another client never got it", async () => {
    const f = failure('broadcast', await probed(room({ to: 'sender', join: false, leave: false })));
    expect(f.expected).toBe(
      'every message a client sent reaches every client in the room at that moment, the sender included, as text',
    );
    expect(f.seen).toMatch(
      /^probe client A sent 'hello from probe client A \([a-z0-9]+\)', and probe client B, in the room since before it, never got it$/,
    );
    expect(f.rfc).toBe('RFC 6455 §6.1');
  });

  test('everyone but the sender: the sender never got its own message back', async () => {
    const f = failure('broadcast', await probed(room({ to: 'others' })));
    expect(f.seen).toMatch(
      /^probe client A sent '.*' and never got it back: the sender is a client of the room too \(wss\.clients holds it\)$/,
    );
  });

  test('a Buffer sent on as it is: the others get a BINARY frame', async () => {
    const f = failure('broadcast', await probed(room({ binary: true })));
    expect(f.seen).toMatch(
      /^probe client A got '.*' as a BINARY frame: in ws the message arrives as a Buffer/,
    );
  });

  test('no notices: presence-join names who joined and who was not told', async () => {
    const t = await probed(room({ join: false, leave: false }));
    expect(task('broadcast', t)).toMatchObject({ ok: true });
    const f = failure('presence-join', t);
    expect(f.expected).toBe(
      'when a client joined, a message to every other client in the room that says so (a presence notice, not a chat message)',
    );
    expect(f.seen).toBe('probe client B joined; probe client A, in the room, got no message about it');
    expect(f.rfc).toBe('RFC 6455 §4.2.2');
    expect(failure('presence-leave', t).seen).toBe(
      'probe client C left; probe client A, in the room, got no message about it',
    );
  });

  test('joins announced, leaves not: presence-leave fails alone', async () => {
    const t = await probed(room({ leave: false }));
    expect(task('presence-join', t)).toMatchObject({ ok: true });
    const f = failure('presence-leave', t);
    expect(f.seen).toMatch(
      /^probe client C left; probe client A, in the room, got no message about it \(its only other messages: /,
    );
    expect(f.rfc).toBe('RFC 6455 §7.1.4');
  });

  test('nothing listens: every server task says to run server.js and press Check', async () => {
    const t = await recordProbe((kit) => roomProbe(kit, URL_8080), { services: new Map() });
    const f = failure('broadcast', t);
    expect(f.seen).toBe("your server answered the lesson's client with 'HTTP/1.1 404 Not Found'");
    const none = failure('presence-join', trace([]));
    expect(none.seen).toBe('the lesson has not tested your server yet: press Check');
  });
});

describe("the learner's client", () => {
  const url = URL_8080;
  test('a client that sent a message and got it back passes; one that only listens fails', () => {
    const talks = connection(
      'c1',
      url,
      [
        ...opened(1000, url),
        frameEvent(1010, 'client', 1, 'hi all'),
        frameEvent(1012, 'server', 1, 'hi all'),
      ],
      { origin: 'code' },
    );
    expect(task('client-chat', trace([talks]))).toMatchObject({
      ok: true,
      observed: "your client sent 'hi all' and the room sent it back",
    });
    const listens = connection(
      'c1',
      url,
      [
        ...opened(1000, url),
        frameEvent(1004, 'server', 1, '{"type":"presence","joined":"guest1","online":1}'),
      ],
      { origin: 'code' },
    );
    expect(failure('client-chat', trace([listens])).seen).toBe(
      'your client sent nothing (it got 1 message): send a message once the socket is open',
    );
    const lost = connection('c1', url, [...opened(1000, url), frameEvent(1010, 'client', 1, 'hi all')], {
      origin: 'code',
    });
    expect(failure('client-chat', trace([lost])).seen).toBe(
      "your client sent 'hi all', and it never came back",
    );
    expect(failure('client-chat', trace([])).seen).toBe(
      'no connection from your code to your server yet: run client.js',
    );
  });
});

test('every task has a failure on the start, as the player shows it', async () => {
  const results = runTasks(checks, await recordWalk(play.start));
  expect([...results.values()].every((r) => !r.ok)).toBe(true);
});
