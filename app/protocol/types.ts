/**
 * The engine's public shapes. Transports (app/server, app/loopback), services and the UI
 * are written against these; the modules beside this file implement them.
 * No DOM, no Node: only Uint8Array, strings and numbers.
 */

/** 5.2: the 4-bit opcode. 0x3-0x7 and 0xB-0xF are reserved. */
export const Opcode = {
  Continuation: 0x0,
  Text: 0x1,
  Binary: 0x2,
  Close: 0x8,
  Ping: 0x9,
  Pong: 0xa,
} as const;
export type Opcode = number;

export type Role = 'client' | 'server';
/** Who put the bytes on the wire. */
export type Side = 'client' | 'server';

/** One frame as the wire carries it (5.2). `payload` is always the unmasked application data. */
export interface Frame {
  fin: boolean;
  rsv1: boolean;
  rsv2: boolean;
  rsv3: boolean;
  opcode: Opcode;
  /** Present (4 bytes) exactly when the MASK bit is set. */
  maskKey?: Uint8Array;
  payload: Uint8Array;
}

/** The WHATWG readyState values, named. */
export type ReadyState = 'CONNECTING' | 'OPEN' | 'CLOSING' | 'CLOSED';

/** Injected randomness and clock (the engine has none of its own). */
export interface Entropy {
  /** n random bytes (mask keys: 4; Sec-WebSocket-Key: 16). */
  randomBytes(n: number): Uint8Array;
}
export type Clock = () => number;

/** One field of a frame, for the inspector (see annotate.ts). Fields cover every bit once. */
export interface FrameField {
  /** Stable id used for colours and tests: 'fin' | 'rsv1' | 'rsv2' | 'rsv3' | 'opcode' | 'mask'
   *  | 'len7' | 'len16' | 'len64' | 'maskKey' | 'payload' | 'closeCode' | 'closeReason'
   *  | 'trailing' (bytes after the frame: the start of the next one). */
  id: string;
  /** Human name, e.g. 'FIN', 'Payload length (7 bits)'. */
  name: string;
  byteOffset: number;
  bitOffset: number; // 0..7, from the most significant bit of the byte at byteOffset
  bitLength: number;
  /** The raw value: a number for header fields, a display string for byte fields. */
  value: number | string;
  /** Plain-language meaning of this value. */
  meaning: string;
  /** RFC section, e.g. 'RFC 6455 §5.2'. */
  rfc: string;
  /** Set on the field holding the byte that breaks a rule: what is wrong (the error's message). */
  problem?: string;
}

/** What a connection reports, drained with `events()`. */
export type ConnectionEvent =
  | { kind: 'open'; protocol: string; extensions: string }
  | { kind: 'message'; opcode: typeof Opcode.Text; data: string }
  | { kind: 'message'; opcode: typeof Opcode.Binary; data: Uint8Array }
  | { kind: 'ping'; data: Uint8Array }
  | { kind: 'pong'; data: Uint8Array }
  /** A frame as it was read (after unmasking) or written: what the API hides, for the inspector. */
  | { kind: 'frame'; from: Side; frame: Frame; bytes: Uint8Array }
  /** The handshake text as read or written. */
  | { kind: 'handshake'; from: Side; text: string }
  | { kind: 'error'; error: ProtocolErrorLike }
  /** Once, when the connection is CLOSED: the transport should then end TCP. */
  | { kind: 'close'; code: number; reason: string; wasClean: boolean };

export interface ProtocolErrorLike {
  /** Stable string code, e.g. 'INVALID_OPCODE' (see errors.ts). */
  code: string;
  /** Close code the connection fails with (1002, 1007, 1009, 1008, 1011). */
  closeCode: number;
  message: string;
}

/**
 * The wire-event stream every transport yields for every connection (Node tap and loopback
 * alike); the UI renders only this. `t` is milliseconds (epoch) from the injected clock.
 */
export type WireEvent =
  | { kind: 'handshake'; t: number; from: Side; text: string }
  | { kind: 'frame'; t: number; from: Side; bytes: Uint8Array }
  /** Bytes that could not be framed (garbage, a violation): shown raw with the reason. */
  | { kind: 'bytes'; t: number; from: Side; bytes: Uint8Array; note: string }
  | { kind: 'state'; t: number; state: ReadyState }
  | { kind: 'error'; t: number; code: string; message: string }
  | { kind: 'close'; t: number; code: number; reason: string; wasClean: boolean }
  /** TCP (or its stand-in) ended. */
  | { kind: 'eof'; t: number; from: Side };
