import { describe, expect, it } from 'vitest';
import { readSessionEvent, writeSessionEvent } from './session-json.ts';

describe('a send event in a saved trace', () => {
  it("keeps the bufferedAmount recorded after the send (the backpressure lesson's peak)", () => {
    const e = { kind: 'api', t: 5, type: 'send', data: 'x', buffered: 65_536 } as const;
    expect(readSessionEvent(JSON.parse(JSON.stringify(writeSessionEvent(e))), 'e')).toEqual(e);
  });

  it('drops a bufferedAmount that is not a count', () => {
    for (const buffered of [-1, 1.5, 'many', null])
      expect(readSessionEvent({ kind: 'api', t: 5, type: 'send', data: 'x', buffered }, 'e')).toEqual({
        kind: 'api',
        t: 5,
        type: 'send',
        data: 'x',
      });
  });
});
