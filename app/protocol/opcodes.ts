/**
 * RFC 6455 §5.2 / §11.8: the 4-bit opcode.
 *
 *   0x0        continuation (§5.4)
 *   0x1 0x2    data frames: text, binary (§5.6)
 *   0x3-0x7    reserved for further non-control frames
 *   0x8 0x9 0xA control frames: close, ping, pong (§5.5)
 *   0xB-0xF    reserved for further control frames
 *
 * Control opcodes are exactly those with the most significant bit set: 1xxx.
 */
import { Opcode } from './types.ts';

export { Opcode };

/** Short upper-case names, as the inspector and summaries print them. */
export const OPCODE_NAMES: Readonly<Record<number, string>> = {
  [Opcode.Continuation]: 'CONT',
  [Opcode.Text]: 'TEXT',
  [Opcode.Binary]: 'BINARY',
  [Opcode.Close]: 'CLOSE',
  [Opcode.Ping]: 'PING',
  [Opcode.Pong]: 'PONG',
};

/** 'TEXT', 'PING', ... or 'RESERVED 0x3' for the unassigned opcodes. */
export function opcodeName(opcode: number): string {
  return OPCODE_NAMES[opcode] ?? `RESERVED 0x${(opcode & 0xf).toString(16).toUpperCase()}`;
}

/** §5.5: control frames are identified by opcodes where the most significant bit is 1 (1xxx). */
export function isControl(opcode: number): boolean {
  return (opcode & 0x8) !== 0;
}

/** §5.6: text and binary; continuation frames carry data too but start no message. */
export function isData(opcode: number): boolean {
  return opcode === Opcode.Text || opcode === Opcode.Binary;
}

/** §5.2: 0x3-0x7 and 0xB-0xF are reserved; receiving one fails the connection (1002). */
export function isReserved(opcode: number): boolean {
  return (opcode >= 0x3 && opcode <= 0x7) || opcode >= 0xb;
}
