import { describe, expect, it } from 'vitest';
import { ComposerState, plural } from './composer.svelte.ts';
import type { LabConnection } from '../connection/lab-connection.svelte.ts';
import type { CloseInfo } from '../connection/session-log.ts';

/** As much of a LabConnection as the composer reads and calls. */
function fakeSession(id: number, sendError?: string) {
  const s = {
    id,
    log: { close: undefined as CloseInfo | undefined },
    send: () => sendError,
    close: () => undefined,
  };
  return s as typeof s & LabConnection;
}

describe('ComposerState result', () => {
  it('belongs to the session it is about: another tab does not show it', () => {
    const c = new ComposerState();
    const a = fakeSession(1);
    const b = fakeSession(2);
    c.text = 'hi';
    c.send(a);
    expect(c.resultFor(a)?.text).toBe('Sent text message of 2 bytes.');
    expect(c.resultFor(b)).toBeUndefined();
  });

  it('a "Sent ..." is withdrawn once the connection has closed (a 1009 says what happened)', () => {
    const c = new ComposerState();
    const a = fakeSession(1);
    c.text = 'x';
    c.send(a);
    expect(c.resultFor(a)?.text).toBe('Sent text message of 1 byte.');
    a.log.close = { code: 1009, reason: '', wasClean: false, t: 1, source: 'api' };
    expect(c.resultFor(a)).toBeUndefined();
  });

  it('an error stays after the close: it is still true', () => {
    const c = new ComposerState();
    const a = fakeSession(1, 'InvalidStateError: Still in CONNECTING state.');
    c.text = 'x';
    c.send(a);
    a.log.close = { code: 1006, reason: '', wasClean: false, t: 1, source: 'api' };
    expect(c.resultFor(a)).toEqual({ text: 'InvalidStateError: Still in CONNECTING state.', ok: false });
  });

  it('counts in words that agree with the number', () => {
    expect([plural(0, 'byte'), plural(1, 'byte'), plural(2, 'frame')]).toEqual([
      '0 bytes',
      '1 byte',
      '2 frames',
    ]);
  });
});
