import { describe, expect, it } from 'vitest';
import { Opcode } from '../protocol/opcodes.ts';
import { FragmentedMessage } from './fragments.ts';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('FragmentedMessage', () => {
  it('5.4: the first piece carries the opcode with FIN clear, the next ones are continuations, the last sets FIN', () => {
    const m = new FragmentedMessage();
    const frames = [
      m.next(Opcode.Text, bytes('Hel'), false),
      m.next(Opcode.Text, bytes('lo, '), false),
      m.next(Opcode.Binary, bytes('world'), true),
    ];
    expect(frames.map((f) => [f.opcode, f.fin])).toEqual([
      [Opcode.Text, false],
      [Opcode.Continuation, false],
      [Opcode.Continuation, true],
    ]);
    expect(m.open).toBe(false);
  });

  it('starts a new message after the last piece', () => {
    const m = new FragmentedMessage();
    m.next(Opcode.Binary, bytes('a'), false);
    expect(m.open).toBe(true);
    m.next(Opcode.Binary, bytes('b'), true);
    expect(m.next(Opcode.Text, bytes('c'), true).opcode).toBe(Opcode.Text);
  });
});
