/**
 * A message sent in pieces by the application, as the `ws` package's
 * `socket.send(data, { fin: false })` does (5.4): the first piece goes out as a TEXT or BINARY
 * frame with FIN clear, every later piece as a CONTINUATION frame, and the piece sent with
 * `fin: true` (the default) carries FIN and ends the message. Control frames may go between
 * the pieces (5.4, 5.5): they do not touch this state.
 */
import { Opcode } from '../protocol/opcodes.ts';
import type { Frame } from '../protocol/types.ts';

export class FragmentedMessage {
  #open = false;

  /** A message was started with `fin: false` and not finished yet. */
  get open(): boolean {
    return this.#open;
  }

  /** The frame for the next piece. `opcode` counts only for the first piece (5.4). */
  next(opcode: typeof Opcode.Text | typeof Opcode.Binary, payload: Uint8Array, fin: boolean): Frame {
    const frame: Frame = {
      fin,
      rsv1: false,
      rsv2: false,
      rsv3: false,
      opcode: this.#open ? Opcode.Continuation : opcode,
      payload,
    };
    this.#open = !fin;
    return frame;
  }
}
