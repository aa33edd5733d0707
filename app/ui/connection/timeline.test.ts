import { describe, expect, it } from 'vitest';
import { describeEntry } from './timeline.ts';

describe('timeline lines keep peer text from reordering the rest of the line', () => {
  it('shows a bidi override in a message by its code: the text after it is not reversed', () => {
    const line = describeEntry({
      t: 0,
      source: 'api',
      event: { kind: 'api', t: 0, type: 'message', data: 'invoice\u202Efdp.exe' },
    });
    expect(line.text).toBe('message · "invoice\\u202efdp.exe"');
  });

  it('isolates a right-to-left close reason, so "wasClean true" after it stays in place', () => {
    const line = describeEntry({
      t: 0,
      source: 'api',
      event: { kind: 'api', t: 0, type: 'close', code: 1000, reason: 'שלום\u202E', wasClean: true },
    });
    expect(line.text).toBe('close · 1000 Normal Closure · reason "\u2068שלום\\u202e\u2069" · wasClean true');
  });

  it('leaves left-to-right text as it was', () => {
    const line = describeEntry({
      t: 0,
      source: 'api',
      event: { kind: 'api', t: 0, type: 'message', data: 'hello' },
    });
    expect(line.text).toBe('message · "hello"');
  });
});
