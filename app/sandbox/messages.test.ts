import { describe, expect, it } from 'vitest';
import { isWorkerMessage, MAX_CONSOLE_BATCH } from './messages.ts';

const entry = { level: 'log', at: 1, text: 'hi' };

describe('isWorkerMessage', () => {
  it('takes the messages the runtime sends', () => {
    expect(isWorkerMessage({ kind: 'console', entries: [entry], dropped: 0 })).toBe(true);
    expect(
      isWorkerMessage({
        kind: 'sock:create',
        id: 1,
        url: 'ws://a/',
        protocols: ['chat'],
        route: 'loopback',
        node: { autoPong: true },
      }),
    ).toBe(true);
    expect(
      isWorkerMessage({
        kind: 'sock:report',
        id: 1,
        report: { kind: 'close', code: 1000, reason: '', wasClean: true },
        readyState: 3,
        bufferedAmount: 0,
      }),
    ).toBe(true);
    expect(isWorkerMessage({ kind: 'conn:send', cid: 2, data: 'x', binary: false, fin: false })).toBe(true);
    expect(isWorkerMessage({ kind: 'srv:accept', rid: 1, accept: 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=' })).toBe(
      true,
    );
    expect(isWorkerMessage({ kind: 'oom', bytes: 1, limit: 1 })).toBe(true);
  });

  it('refuses a console batch larger than the worker ever sends (a forged 200,000)', () => {
    const entries = Array.from({ length: MAX_CONSOLE_BATCH + 1 }, () => entry);
    expect(isWorkerMessage({ kind: 'console', entries, dropped: 0 })).toBe(false);
    expect(isWorkerMessage({ kind: 'console', entries: [{ ...entry, level: 'evil' }], dropped: 0 })).toBe(
      false,
    );
    expect(isWorkerMessage({ kind: 'console', entries: [entry], dropped: -1 })).toBe(false);
  });

  it('checks every field of a socket report, not only that it is an object', () => {
    const report = (r: unknown, readyState = 1): unknown => ({
      kind: 'sock:report',
      id: 1,
      report: r,
      readyState,
      bufferedAmount: 0,
    });
    expect(isWorkerMessage(report({ kind: 'close', code: 'x', reason: '', wasClean: true }))).toBe(false);
    expect(isWorkerMessage(report({ kind: 'open', protocol: 1, extensions: '' }))).toBe(false);
    expect(isWorkerMessage(report({ kind: 'boom' }))).toBe(false);
    expect(isWorkerMessage(report({ kind: 'error' }, 7))).toBe(false);
    expect(isWorkerMessage(report({ kind: 'message', data: { toString: 1 } }))).toBe(false);
  });

  it('refuses ids that are not positive safe integers, and oversized URLs and protocol lists', () => {
    const create = (o: object): unknown => ({
      kind: 'sock:create',
      id: 1,
      url: 'ws://a/',
      protocols: [],
      route: 'loopback',
      ...o,
    });
    expect(isWorkerMessage(create({ id: 0 }))).toBe(false);
    expect(isWorkerMessage(create({ id: 2 ** 60 }))).toBe(false);
    expect(isWorkerMessage(create({ url: 'ws://a/' + 'x'.repeat(9000) }))).toBe(false);
    expect(isWorkerMessage(create({ protocols: [1] }))).toBe(false);
    expect(isWorkerMessage(create({ protocols: Array.from({ length: 65 }, (_, i) => `p${i}`) }))).toBe(false);
    expect(isWorkerMessage(create({ route: 'other' }))).toBe(false);
  });

  it("takes a server's verifyClient and maxPayload, and a verdict: accept, or a status with a short text", () => {
    const listen = { kind: 'srv:listen', sid: 1, port: 9000 };
    expect(isWorkerMessage({ ...listen, verify: true, maxPayload: 4096 })).toBe(true);
    expect(isWorkerMessage({ ...listen, verify: 'yes' })).toBe(false);
    expect(isWorkerMessage({ ...listen, maxPayload: -1 })).toBe(false);
    expect(isWorkerMessage({ ...listen, maxPayload: 1.5 })).toBe(false);
    expect(isWorkerMessage({ kind: 'srv:verified', rid: 1, ok: true })).toBe(true);
    expect(
      isWorkerMessage({ kind: 'srv:verified', rid: 1, ok: false, status: 403, message: 'Forbidden' }),
    ).toBe(true);
    expect(isWorkerMessage({ kind: 'srv:verified', rid: 1, ok: false, status: 403 })).toBe(false);
    expect(
      isWorkerMessage({ kind: 'srv:verified', rid: 1, ok: false, status: 403, message: 'x'.repeat(300) }),
    ).toBe(false);
    expect(isWorkerMessage({ kind: 'srv:verified', rid: 0, ok: true })).toBe(false);
  });

  it('refuses anything that is not a message', () => {
    for (const m of [null, 1, 'console', [], { kind: 1 }, { kind: 'nope' }])
      expect(isWorkerMessage(m)).toBe(false);
  });
});
