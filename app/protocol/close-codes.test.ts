import { describe, expect, it } from 'vitest';
import { CLOSE_CODES, describeCloseCode, isSendableCloseCode } from './close-codes.ts';

describe('close codes (§7.4)', () => {
  it('lists every registered code 1000-1015 with a name and a one-line meaning', () => {
    for (let code = 1000; code <= 1015; code++) {
      const info = describeCloseCode(code);
      expect(CLOSE_CODES[code]).toBeDefined();
      expect(info.name).not.toBe('');
      expect(info.meaning).not.toMatch(/\n/);
      expect(info.range).toBe('protocol');
    }
    expect(describeCloseCode(1000).name).toBe('Normal Closure');
    expect(describeCloseCode(1009).name).toBe('Message Too Big');
    expect(describeCloseCode(1012).name).toBe('Service Restart');
    expect(describeCloseCode(1013).name).toBe('Try Again Later');
    expect(describeCloseCode(1014).name).toBe('Bad Gateway');
  });

  it('1004 is reserved and 1005, 1006, 1015 are reported only: never sent', () => {
    for (const code of [1004, 1005, 1006, 1015]) expect(isSendableCloseCode(code)).toBe(false);
    for (const code of [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014])
      expect(isSendableCloseCode(code)).toBe(true);
  });

  it.each([
    [0, 'unused', false],
    [999, 'unused', false],
    [1016, 'reserved', false],
    [2999, 'reserved', false],
    [3000, 'registered', true],
    [3999, 'registered', true],
    [4000, 'private', true],
    [4999, 'private', true],
    [5000, 'invalid', false],
    [65535, 'invalid', false],
    [-1, 'invalid', false],
    [1000.5, 'invalid', false],
  ] as const)('puts %d in the %s bucket (sendable: %s)', (code, range, sendable) => {
    expect(describeCloseCode(code)).toMatchObject({ code, range, sendable });
    expect(isSendableCloseCode(code)).toBe(sendable);
  });
});

describe('close-code meanings read well after their name ("Name: meaning")', () => {
  it.each([1000, 1001, 1004, 1005, 1006, 1016, 2999, 3000, 4000, 4999, 5000, 500])(
    "%i's meaning does not repeat its name",
    (code) => {
      const info = describeCloseCode(code);
      expect(info.meaning.toLowerCase().startsWith(info.name.toLowerCase())).toBe(false);
    },
  );
});
