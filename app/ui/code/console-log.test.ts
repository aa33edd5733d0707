import { describe, expect, it } from 'vitest';
import type { ConsoleEntry } from '../../sandbox/protocol.ts';
import { ConsoleLog } from './console-log.ts';

const e = (text: string, level: ConsoleEntry['level'] = 'log'): ConsoleEntry => ({ level, at: 1, text });

describe('ConsoleLog', () => {
  it('keeps the newest entries up to its limit and counts the rest', () => {
    const log = new ConsoleLog(3);
    log.append([e('1'), e('2')]);
    log.append([e('3'), e('4'), e('5')]);
    expect(log.entries.map((x) => x.text)).toEqual(['3', '4', '5']);
    expect(log.lost).toBe(2);
    for (let i = 0; i < 100; i++) log.append([e(`x${i}`)]);
    expect(log.size).toBe(3);
    expect(log.entries.at(-1)?.text).toBe('x99');
  });

  it('hands each batch to subscribers, once', () => {
    const log = new ConsoleLog();
    const seen: string[][] = [];
    const stop = log.subscribe((batch) => seen.push(batch.map((x) => x.text)));
    log.append([e('a'), e('b')]);
    stop();
    log.append([e('c')]);
    expect(seen).toEqual([['a', 'b']]);
  });

  it("notes lines the sandbox dropped before the batch's own", () => {
    const log = new ConsoleLog();
    log.append([e('after')], 500);
    expect(log.entries.map((x) => x.text)).toEqual([expect.stringContaining('500 lines dropped'), 'after']);
    expect(log.lost).toBe(500);
  });

  it('empties on console.clear() and tells subscribers', () => {
    const log = new ConsoleLog();
    let cleared = false;
    log.subscribe((_b, c) => (cleared ||= c));
    log.append([e('old')]);
    log.append([e('console.clear()', 'system'), e('new')]);
    expect(cleared).toBe(true);
    expect(log.entries.map((x) => x.text)).toEqual(['console.clear()', 'new']);
  });
});
