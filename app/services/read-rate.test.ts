import { describe, expect, it } from 'vitest';
import { MAX_READ_RATE, MIN_READ_RATE, parseReadRate, ReadPace } from './read-rate.ts';

describe('parseReadRate', () => {
  it('reads bytes per second from the query, clamped to the accepted range', () => {
    expect(parseReadRate('65536')).toBe(65536);
    expect(parseReadRate('10')).toBe(MIN_READ_RATE);
    expect(parseReadRate('1e12')).toBe(MAX_READ_RATE);
  });

  it('no limit for a missing, empty, zero, negative or non-numeric value', () => {
    for (const v of [null, '', ' ', '0', '-5', 'fast', 'Infinity'])
      expect(parseReadRate(v), String(v)).toBe(undefined);
  });
});

describe('ReadPace', () => {
  it('waits as long as the bytes take at the rate', () => {
    const pace = new ReadPace(1000, () => 0);
    expect(pace.took(500)).toBe(500);
  });

  it('chunks read back to back add up: the average is the rate', () => {
    let t = 0;
    const pace = new ReadPace(10_000, () => t);
    expect(pace.took(1000)).toBe(100);
    t = 100;
    expect(pace.took(5000)).toBe(500);
    t = 600;
    expect(pace.took(2000)).toBe(200); // 8000 bytes by t = 800 ms: 10,000 bytes/s
  });

  it('an early read (a resume that came before its time) waits out the rest', () => {
    let t = 0;
    const pace = new ReadPace(1000, () => t);
    pace.took(1000); // paid until 1000 ms
    t = 400;
    expect(pace.took(100)).toBe(700);
  });

  it('an idle spell earns no credit for a burst', () => {
    let t = 0;
    const pace = new ReadPace(1000, () => t);
    pace.took(100);
    t = 60_000;
    expect(pace.took(1000)).toBe(1000);
  });
});
