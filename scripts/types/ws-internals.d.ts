/**
 * Types for `ws`'s Receiver and Sender, which the package exports by name (its ESM wrapper)
 * but @types/ws leaves out. Used only by the peer tests and bench/codec.ts; the engine itself
 * never imports `ws`.
 */
import 'ws';
import type { Writable } from 'node:stream';

declare module 'ws' {
  export interface ReceiverOptions {
    isServer?: boolean;
    maxPayload?: number;
    skipUTF8Validation?: boolean;
    allowSynchronousEvents?: boolean;
    binaryType?: 'nodebuffer' | 'arraybuffer' | 'fragments';
    extensions?: Record<string, unknown>;
  }
  /** A Writable: write raw frame bytes; emits 'message', 'ping', 'pong', 'conclude', 'error'. */
  export class Receiver extends Writable {
    constructor(options?: ReceiverOptions);
  }

  export interface FrameOptions {
    fin?: boolean;
    mask?: boolean;
    maskBuffer?: Buffer;
    generateMask?: (mask: Buffer) => void;
    opcode: number;
    readOnly?: boolean;
    rsv1?: boolean;
  }
  export interface SocketLike {
    write(chunk: Buffer | string, cb?: () => void): boolean;
    cork(): void;
    uncork(): void;
  }
  export class Sender {
    constructor(
      socket: SocketLike,
      extensions?: Record<string, unknown>,
      generateMask?: (mask: Buffer) => void,
    );
    static frame(data: Buffer, options: FrameOptions): Buffer[];
    send(
      data: Buffer | string,
      options: { binary?: boolean; fin?: boolean; mask?: boolean; compress?: boolean },
      cb?: (err?: Error) => void,
    ): void;
    ping(data: Buffer | string, mask: boolean, cb?: (err?: Error) => void): void;
    pong(data: Buffer | string, mask: boolean, cb?: (err?: Error) => void): void;
    close(code?: number, data?: string | Buffer, mask?: boolean, cb?: (err?: Error) => void): void;
  }
}
