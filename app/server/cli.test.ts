/** The CLI as a user runs it: a child process on 127.0.0.1, port 0, stopped by a signal. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { classroomUrls, lanAddresses } from './cli.ts';
import { closed, inboxOf, openWs, withTimeout } from './test-helpers.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));
const children: ChildProcess[] = [];

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

interface Running {
  child: ChildProcess;
  port: number;
  line: string;
  out: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function run(args: string[]): {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exit: Running['exit'];
} {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, out: () => out, err: () => err, exit };
}

async function start(args: string[]): Promise<Running> {
  const r = run(args);
  const line = await withTimeout(
    new Promise<string>((resolve, reject) => {
      const check = (): void => {
        const m = /^.*listening on .*\(ws:\/\/[^)]+\).*$/m.exec(r.out());
        if (m) resolve(m[0]);
      };
      r.child.stdout?.on('data', check);
      void r.exit.then(({ code }) => reject(new Error(`exited ${code}: ${r.out()} ${r.err()}`)));
    }),
    20_000,
    'the listening line',
  );
  const port = Number(/:(\d+)\//.exec(line)?.[1]);
  return { child: r.child, port, line, out: r.out, exit: r.exit };
}

describe('cli', () => {
  it('prints the usage for --help and exits 0', async () => {
    const r = run(['--help']);
    const { code } = await withTimeout(r.exit, 20_000, 'exit');
    expect(code).toBe(0);
    expect(r.out()).toContain('classroom');
    expect(r.out()).toContain('--max-message-size');
  });

  it('refuses an unknown option with exit code 2', async () => {
    const r = run(['serve', '--bogus']);
    expect((await withTimeout(r.exit, 20_000, 'exit')).code).toBe(2);
    expect(r.err()).toContain('bogus');
  });

  it('refuses a --relay-allow that is not host:port, saying what it wants, with exit code 2', async () => {
    const r = run(['serve', '--relay-allow', '10.0.0.5']);
    expect((await withTimeout(r.exit, 20_000, 'exit')).code).toBe(2);
    expect(r.err()).toContain("--relay-allow wants host:port (or host:*), not '10.0.0.5'");
  });

  it('serve --relay-allow: the relay reaches the allowed target; another gets 403 naming the flag', async () => {
    const s = await start(['serve', '--host', '127.0.0.1', '--port', '0', '--relay-allow', '192.0.2.9:9000']);
    const probe = (to: string) =>
      fetch(`http://127.0.0.1:${s.port}/__relay?to=${encodeURIComponent(to)}`).then(async (r) => ({
        status: r.status,
        body: await r.text(),
      }));
    expect((await probe('ws://192.0.2.9:9000/')).status).toBe(426); // allowed: a WebSocket endpoint
    const refused = await probe('ws://192.0.2.9:9001/');
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('--relay-allow 192.0.2.9:9001');
    s.child.kill('SIGTERM');
    await withTimeout(s.exit, 10_000, 'exit');
  }, 40_000);

  it('serve: listens on port 0 (printing the real port), echoes, and on SIGTERM closes with 1001 and exits 0', async () => {
    const s = await start(['serve', '--host', '127.0.0.1', '--port', '0']);
    expect(s.line).toMatch(/http:\/\/127\.0\.0\.1:\d+\//);
    expect(s.line).toContain(`ws://127.0.0.1:${s.port}/echo`);
    expect(s.port).toBeGreaterThan(0);
    const echo = await openWs(`ws://127.0.0.1:${s.port}/echo`);
    const chat = await openWs(`ws://127.0.0.1:${s.port}/chat`);
    echo.send('via cli');
    expect((await inboxOf(echo).next()).data).toBe('via cli');
    const closes = [closed(echo, 10_000), closed(chat, 10_000)];
    s.child.kill('SIGTERM');
    for (const c of await Promise.all(closes))
      expect(c).toEqual({ code: 1001, reason: 'server shutting down' });
    expect(await withTimeout(s.exit, 10_000, 'exit')).toEqual({ code: 0, signal: null });
  }, 40_000);

  it('serve: SIGINT works the same way', async () => {
    const s = await start(['serve', '--host', '127.0.0.1', '--port', '0']);
    const ws = await openWs(`ws://127.0.0.1:${s.port}/ticker`);
    const c = closed(ws, 10_000);
    s.child.kill('SIGINT');
    expect((await c).code).toBe(1001);
    expect((await withTimeout(s.exit, 10_000, 'exit')).code).toBe(0);
  }, 40_000);

  it('classroom: prints LAN URLs, holds 100 students with 3 sockets each, logs joins, closes all with 1001', async () => {
    // Binds 0.0.0.0 as in class, but every byte of this test goes to 127.0.0.1.
    const s = await start(['classroom', '--port', '0']);
    expect(s.out()).toMatch(/Students open one of:|No LAN address found/);
    expect(s.out()).toContain(`http://localhost:${s.port}/`);
    const url = (p: string): string => `ws://127.0.0.1:${s.port}${p}`;
    const students: WebSocket[][] = [];
    const errors: unknown[] = [];
    for (let batch = 0; batch < 10; batch++) {
      const joined = await Promise.all(
        Array.from({ length: 10 }, async () => {
          const sockets = await Promise.all([
            openWs(url('/echo')),
            openWs(url('/chat')),
            openWs(url('/ticker')),
          ]);
          for (const ws of sockets) ws.on('error', (e) => errors.push(e));
          return sockets;
        }),
      );
      students.push(...joined);
    }
    expect(students).toHaveLength(100);
    // Every student echoes and says hello in the room.
    await Promise.all(
      students.map(async ([echo, chat], i) => {
        echo!.send(`student ${i}`);
        expect((await inboxOf(echo!).next(10_000)).data).toBe(`student ${i}`);
        chat!.send(`hello from ${i}`);
      }),
    );
    // Everyone in the room sees all 100 hellos (plus presence notices and history).
    await Promise.all(
      students.map(async ([, chat]) => {
        const inbox = inboxOf(chat!);
        for (
          let i = 0;
          i < 200 && inbox.messages.filter((m) => String(m.data).startsWith('hello from')).length < 100;
          i++
        ) {
          await new Promise((r) => setTimeout(r, 50));
        }
        expect(
          new Set(inbox.messages.map((m) => String(m.data)).filter((d) => d.startsWith('hello from'))).size,
        ).toBe(100);
      }),
    );
    // Every ticker pushed at least its first quote.
    for (const [, , ticker] of students) expect(inboxOf(ticker!).messages.length).toBeGreaterThanOrEqual(1);
    expect(s.out()).toMatch(/join\s+127\.0\.0\.1/);
    const all = students.flat();
    const closes = all.map((ws) => closed(ws, 15_000));
    s.child.kill('SIGTERM');
    const codes = await Promise.all(closes);
    expect(codes.every((c) => c.code === 1001)).toBe(true);
    expect((await withTimeout(s.exit, 15_000, 'exit')).code).toBe(0);
    expect(errors).toEqual([]);
  }, 90_000);
});

describe('the URLs classroom prints', () => {
  const lan = ['192.168.1.20', '10.0.0.5'];

  it('lists every LAN address and localhost when it listens on every interface', () => {
    for (const host of ['0.0.0.0', '::']) {
      const out = classroomUrls(host, 8080, lan);
      expect(out).toContain('http://192.168.1.20:8080/');
      expect(out).toContain('http://10.0.0.5:8080/');
      expect(out).toContain('http://localhost:8080/');
    }
  });

  it('prints no LAN URL on a loopback host, only the one that works, and says why', () => {
    for (const [host, url] of [
      ['127.0.0.1', 'http://127.0.0.1:8080/'],
      ['::1', 'http://[::1]:8080/'],
      ['localhost', 'http://localhost:8080/'],
    ] as const) {
      const out = classroomUrls(host, 8080, lan);
      expect(out).not.toContain('192.168.1.20');
      expect(out).not.toContain('10.0.0.5');
      expect(out).toContain(url);
      expect(out).toMatch(/No LAN URL: .* is a loopback address, which other machines cannot reach/);
    }
  });

  it('prints only the address it listens on when that is one LAN address', () => {
    const out = classroomUrls('192.168.1.20', 8080, lan);
    expect(out).toContain('http://192.168.1.20:8080/');
    expect(out).not.toContain('10.0.0.5');
    expect(out).not.toContain('localhost');
  });

  it('classroom --host 127.0.0.1 prints the one URL that works and no LAN address', async () => {
    const s = await start(['classroom', '--host', '127.0.0.1', '--port', '0']);
    await withTimeout(
      (async () => {
        while (!s.out().includes('this machine only')) await new Promise((r) => setTimeout(r, 20));
      })(),
      5_000,
      'the URLs',
    );
    expect(s.out()).toContain(`http://127.0.0.1:${s.port}/   (this machine only)`);
    expect(s.out()).toContain('No LAN URL');
    for (const a of lanAddresses()) expect(s.out()).not.toContain(a);
    // At once, as a supervisor might: the handler is in before the banner, so this is a clean stop.
    s.child.kill('SIGTERM');
    expect(await withTimeout(s.exit, 10_000, 'exit')).toEqual({ code: 0, signal: null });
  }, 40_000);
});
