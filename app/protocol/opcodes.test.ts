import { describe, expect, it } from 'vitest';
import { isControl, isData, isReserved, opcodeName } from './opcodes.ts';

describe('opcodes (§5.2)', () => {
  it('names the defined opcodes and the reserved ones', () => {
    expect([0x0, 0x1, 0x2, 0x8, 0x9, 0xa].map(opcodeName)).toEqual([
      'CONT',
      'TEXT',
      'BINARY',
      'CLOSE',
      'PING',
      'PONG',
    ]);
    expect(opcodeName(0xb)).toBe('RESERVED 0xB');
  });

  it('classifies all 16 opcodes', () => {
    const table = Array.from({ length: 16 }, (_, op) => [isControl(op), isData(op), isReserved(op)]);
    const reserved = [3, 4, 5, 6, 7, 11, 12, 13, 14, 15];
    table.forEach(([control, data, res], op) => {
      expect(control).toBe(op >= 8);
      expect(data).toBe(op === 1 || op === 2);
      expect(res).toBe(reserved.includes(op));
    });
  });
});
