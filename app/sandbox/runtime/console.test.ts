import { describe, expect, test } from 'vitest';
import type { ConsoleEntry, WorkerMessage } from '../protocol.ts';
import { createSandboxConsole } from './console.ts';
import { createStackMapper } from './stack.ts';

function setup() {
  const posts: WorkerMessage[] = [];
  let clock = 0;
  const timers: (() => void)[] = [];
  const c = createSandboxConsole({
    post: (m) => posts.push(m),
    format: (args) => args.map(String).join(' '),
    stack: createStackMapper(
      () => null,
      (args) => String(args[0]),
    ),
    now: () => 1_000,
    clock: () => clock,
    setTimeout: (fn) => timers.push(fn),
    clearTimeout: () => undefined,
  });
  const lines = (): string[] =>
    posts.flatMap((m) => (m.kind === 'console' ? m.entries.map((e: ConsoleEntry) => e.text) : []));
  return { c, posts, lines, timers, tick: (ms: number) => (clock += ms) };
}

describe('the sandbox console', () => {
  test('while quiet, each line leaves at once, in its own message', () => {
    const { c, posts, lines } = setup();
    c.console.log('a', 1);
    c.console.warn('b');
    expect(posts).toHaveLength(2);
    expect(lines()).toEqual(['a 1', 'b']);
  });

  test('a flood is batched: after 8 messages in 30 ms the rest wait for the window to end', () => {
    const { c, posts, lines, timers, tick } = setup();
    for (let i = 0; i < 20; i++) c.console.log(String(i));
    expect(posts).toHaveLength(8);
    expect(timers).toHaveLength(1);
    tick(30);
    timers[0]?.();
    expect(posts).toHaveLength(9);
    expect(lines()).toHaveLength(20);
  });

  test('beyond 1000 waiting lines the oldest are dropped and counted', () => {
    const { c, posts } = setup();
    for (let i = 0; i < 1_100; i++) c.console.log(String(i));
    c.flush();
    const last = posts.at(-1) as Extract<WorkerMessage, { kind: 'console' }>;
    expect(last.dropped).toBeGreaterThan(0);
    expect(last.entries).toHaveLength(1_000);
  });

  test('group indents, count counts, assert prints only when false, timeLog warns for an unknown timer', () => {
    const { c, posts } = setup();
    c.console.group('g');
    c.console.count();
    c.console.groupEnd();
    c.console.count();
    c.console.assert(true, 'never');
    c.console.assert(false, 'shown');
    c.console.timeLog('nope');
    c.flush();
    const entries = posts.flatMap((m) => (m.kind === 'console' ? m.entries : []));
    expect(entries.map((e) => [e.level, e.text, e.indent])).toEqual([
      ['log', 'g', undefined],
      ['log', 'default: 1', 1],
      ['log', 'default: 2', undefined],
      ['error', 'Assertion failed: shown', undefined],
      ['warn', "Timer 'nope' does not exist", undefined],
    ]);
  });

  test('an uncaught error is printed as an error with its prefix', () => {
    const { c, posts } = setup();
    c.reportUncaught('oops', 'Uncaught (in promise)');
    const entry = posts.flatMap((m) => (m.kind === 'console' ? m.entries : []))[0];
    expect(entry).toMatchObject({ level: 'error', text: 'Uncaught (in promise) oops' });
  });
});
