import { describe, expect, it } from 'vitest';
import { SNIPPETS } from '../../snippets/index.ts';
import { docLabel } from './doc-label.ts';

describe('docLabel', () => {
  it('says "(server)" once: not after a title that already says it', () => {
    expect(docLabel({ title: 'Heartbeat (server)', kind: 'server', edited: false })).toBe(
      'Heartbeat (server)',
    );
    expect(docLabel({ title: 'Chat server', kind: 'server', edited: true })).toBe('Chat server • edited');
    expect(docLabel({ title: 'Echo', kind: 'server', edited: false })).toBe('Echo (server)');
    expect(docLabel({ title: 'Chat client', kind: 'client', edited: false })).toBe('Chat client');
  });

  it('no snippet label repeats a word', () => {
    for (const s of SNIPPETS) {
      const label = docLabel({ title: s.title, kind: s.kind, edited: false });
      expect(label).not.toMatch(/\b(\w+)\b.*\(\1\)/i);
    }
  });
});
