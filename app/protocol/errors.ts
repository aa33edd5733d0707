/**
 * Every violation the engine detects is a `ProtocolError` made by `protocolError()` from one
 * table: a stable string code -> the close code the connection fails with, a message, the RFC
 * section and the lesson that explains it (the UI links errors to lessons by `lesson`).
 */
import { isSendableCloseCode } from './close-codes.ts';
import type { ProtocolErrorLike } from './types.ts';

/** Lesson slugs the UI links to. */
export type Lesson =
  | 'anatomy'
  | 'masking'
  | 'payload-lengths'
  | 'fragmentation'
  | 'text-and-binary'
  | 'ping-pong'
  | 'closing'
  | 'handshake'
  | 'subprotocols'
  | 'security';

interface ErrorSpec {
  /** The close code sent when a connection fails with this error (§7.4.1). */
  closeCode: number;
  message: string;
  rfc: string;
  lesson: Lesson;
  /** Handshake errors: the HTTP status a server answers with (§4.2.1, §4.4). */
  status?: number;
}

export const ERRORS = {
  // ---- framing (§5.2), 1002 --------------------------------------------------------------
  INVALID_OPCODE: {
    closeCode: 1002,
    message: 'Reserved opcode: opcodes 0x3-0x7 and 0xB-0xF are not defined',
    rfc: 'RFC 6455 §5.2',
    lesson: 'anatomy',
  },
  RESERVED_BITS: {
    closeCode: 1002,
    message: 'RSV bit set although no extension defining it was negotiated',
    rfc: 'RFC 6455 §5.2',
    lesson: 'anatomy',
  },
  UNMASKED_CLIENT_FRAME: {
    closeCode: 1002,
    message: 'A client frame arrived unmasked: a client must mask every frame',
    rfc: 'RFC 6455 §5.1',
    lesson: 'masking',
  },
  MASKED_SERVER_FRAME: {
    closeCode: 1002,
    message: 'A server frame arrived masked: a server must not mask its frames',
    rfc: 'RFC 6455 §5.1',
    lesson: 'masking',
  },
  NON_MINIMAL_LENGTH: {
    closeCode: 1002,
    message: 'Payload length not encoded in the minimal number of bytes',
    rfc: 'RFC 6455 §5.2',
    lesson: 'payload-lengths',
  },
  LENGTH_TOO_LARGE: {
    closeCode: 1002,
    message: 'The most significant bit of a 64-bit payload length must be 0',
    rfc: 'RFC 6455 §5.2',
    lesson: 'payload-lengths',
  },
  // ---- control frames (§5.5), 1002 -------------------------------------------------------
  CONTROL_FRAME_TOO_LONG: {
    closeCode: 1002,
    message: 'A control frame payload is longer than 125 bytes',
    rfc: 'RFC 6455 §5.5',
    lesson: 'anatomy',
  },
  FRAGMENTED_CONTROL_FRAME: {
    closeCode: 1002,
    message: 'A control frame has FIN = 0: control frames must not be fragmented',
    rfc: 'RFC 6455 §5.5',
    lesson: 'fragmentation',
  },
  // ---- fragmentation (§5.4), 1002 --------------------------------------------------------
  UNEXPECTED_CONTINUATION: {
    closeCode: 1002,
    message: 'A continuation frame arrived while no fragmented message was in progress',
    rfc: 'RFC 6455 §5.4',
    lesson: 'fragmentation',
  },
  EXPECTED_CONTINUATION: {
    closeCode: 1002,
    message: 'A new data frame arrived before the fragmented message in progress was finished',
    rfc: 'RFC 6455 §5.4',
    lesson: 'fragmentation',
  },
  // ---- closing (§5.5.1, §7.4), 1002 / 1007 -----------------------------------------------
  INVALID_CLOSE_PAYLOAD: {
    closeCode: 1002,
    message: 'A close frame payload of 1 byte: the status code needs 2 bytes',
    rfc: 'RFC 6455 §5.5.1',
    lesson: 'closing',
  },
  INVALID_CLOSE_CODE: {
    closeCode: 1002,
    message: 'A close frame carried a status code that must not be sent',
    rfc: 'RFC 6455 §7.4',
    lesson: 'closing',
  },
  INVALID_CLOSE_REASON: {
    closeCode: 1007,
    message: 'A close frame reason is not valid UTF-8',
    rfc: 'RFC 6455 §5.5.1',
    lesson: 'closing',
  },
  // ---- data (§8.1), 1007 -----------------------------------------------------------------
  INVALID_UTF8: {
    closeCode: 1007,
    message: 'A text message is not valid UTF-8',
    rfc: 'RFC 6455 §8.1',
    lesson: 'text-and-binary',
  },
  // ---- limits and policy (§7.4.1, §10.4), 1009 / 1008 ------------------------------------
  MESSAGE_TOO_BIG: {
    closeCode: 1009,
    message: 'The message is larger than this endpoint accepts',
    rfc: 'RFC 6455 §10.4',
    lesson: 'payload-lengths',
  },
  INFLATE_FAILED: {
    closeCode: 1007,
    message: 'A compressed message is not valid raw DEFLATE data',
    rfc: 'RFC 7692 §7.2.2',
    lesson: 'anatomy',
  },
  POLICY_VIOLATION: {
    closeCode: 1008,
    message: "The peer violated this endpoint's policy",
    rfc: 'RFC 6455 §7.4.1',
    lesson: 'security',
  },
  // ---- local misuse of the API (never caused by the peer) --------------------------------
  CLOSE_CODE_NOT_SENDABLE: {
    closeCode: 1011,
    message: 'This status code must not be sent in a close frame',
    rfc: 'RFC 6455 §7.4',
    lesson: 'closing',
  },
  CLOSE_REASON_TOO_LONG: {
    closeCode: 1011,
    message: 'A close reason must fit in 123 bytes of UTF-8',
    rfc: 'RFC 6455 §5.5',
    lesson: 'closing',
  },
  // ---- anything else; the message never carries internals --------------------------------
  INTERNAL: { closeCode: 1011, message: 'Internal error', rfc: 'RFC 6455 §7.4.1', lesson: 'closing' },
  // ---- opening handshake (§4). No WebSocket exists yet, so the close code reported is 1006
  // (§7.1.5; never sent); `status` is what a server answers with. -------------------------
  HANDSHAKE_MALFORMED: {
    closeCode: 1006,
    status: 400,
    message: 'The HTTP head could not be parsed',
    rfc: 'RFC 6455 §4.2.1',
    lesson: 'handshake',
  },
  HANDSHAKE_HEAD_TOO_LARGE: {
    closeCode: 1006,
    status: 431,
    message: 'The HTTP head is larger than allowed',
    rfc: 'RFC 6455 §4.2.1',
    lesson: 'handshake',
  },
  HANDSHAKE_METHOD: {
    closeCode: 1006,
    status: 400,
    message: 'The opening handshake must be a GET request',
    rfc: 'RFC 6455 §4.2.1',
    lesson: 'handshake',
  },
  HANDSHAKE_HTTP_VERSION: {
    closeCode: 1006,
    status: 400,
    message: 'The opening handshake needs HTTP/1.1 or later',
    rfc: 'RFC 6455 §4.2.1',
    lesson: 'handshake',
  },
  HANDSHAKE_HOST: {
    closeCode: 1006,
    status: 400,
    message: 'The Host header is missing',
    rfc: 'RFC 6455 §4.2.1',
    lesson: 'handshake',
  },
  HANDSHAKE_UPGRADE: {
    closeCode: 1006,
    status: 400,
    message: 'The Upgrade header must contain "websocket"',
    rfc: 'RFC 6455 §4.2.1',
    lesson: 'handshake',
  },
  HANDSHAKE_CONNECTION: {
    closeCode: 1006,
    status: 400,
    message: 'The Connection header must contain "Upgrade"',
    rfc: 'RFC 6455 §4.2.1',
    lesson: 'handshake',
  },
  HANDSHAKE_KEY: {
    closeCode: 1006,
    status: 400,
    message: 'Sec-WebSocket-Key must be 16 bytes encoded in base64',
    rfc: 'RFC 6455 §4.2.1',
    lesson: 'handshake',
  },
  HANDSHAKE_VERSION: {
    closeCode: 1006,
    status: 426,
    message: 'Sec-WebSocket-Version must be 13',
    rfc: 'RFC 6455 §4.4',
    lesson: 'handshake',
  },
  HANDSHAKE_PROTOCOL_HEADER: {
    closeCode: 1006,
    status: 400,
    message: 'Sec-WebSocket-Protocol is not a list of tokens',
    rfc: 'RFC 6455 §4.1',
    lesson: 'subprotocols',
  },
  HANDSHAKE_EXTENSION_HEADER: {
    closeCode: 1006,
    status: 400,
    message: 'Sec-WebSocket-Extensions could not be parsed',
    rfc: 'RFC 6455 §9.1',
    lesson: 'subprotocols',
  },
  HANDSHAKE_ORIGIN: {
    closeCode: 1006,
    status: 403,
    message: 'The Origin is not allowed',
    rfc: 'RFC 6455 §10.2',
    lesson: 'security',
  },
  HANDSHAKE_PATH: {
    closeCode: 1006,
    status: 404,
    message: 'No WebSocket endpoint at this path',
    rfc: 'RFC 6455 §4.2.1',
    lesson: 'handshake',
  },
  HANDSHAKE_STATUS: {
    closeCode: 1006,
    message: 'The server did not answer 101 Switching Protocols',
    rfc: 'RFC 6455 §4.1',
    lesson: 'handshake',
  },
  HANDSHAKE_ACCEPT: {
    closeCode: 1006,
    message: 'Sec-WebSocket-Accept does not match the key sent',
    rfc: 'RFC 6455 §4.1',
    lesson: 'handshake',
  },
  HANDSHAKE_UNOFFERED_PROTOCOL: {
    closeCode: 1006,
    message: 'The server chose a subprotocol the client did not offer',
    rfc: 'RFC 6455 §4.1',
    lesson: 'subprotocols',
  },
  HANDSHAKE_UNOFFERED_EXTENSION: {
    closeCode: 1006,
    message: 'The server accepted an extension the client did not offer',
    rfc: 'RFC 6455 §4.1',
    lesson: 'subprotocols',
  },
  HANDSHAKE_DEFLATE_PARAMS: {
    closeCode: 1006,
    message: 'The server answered permessage-deflate with parameters the client cannot accept',
    rfc: 'RFC 7692 §7.1',
    lesson: 'handshake',
  },
} as const satisfies Record<string, ErrorSpec>;

export type ProtocolErrorCode = keyof typeof ERRORS;

export class ProtocolError extends Error implements ProtocolErrorLike {
  override readonly name = 'ProtocolError';
  readonly code: ProtocolErrorCode;
  readonly closeCode: number;
  readonly rfc: string;
  readonly lesson: Lesson;
  /** HTTP status for handshake errors a server answers. */
  readonly status: number | undefined;
  /** Where the offending byte is, when known: offset within the frame (or input) inspected. */
  readonly byteOffset: number | undefined;

  constructor(code: ProtocolErrorCode, message: string, byteOffset?: number) {
    super(message);
    const spec: ErrorSpec = ERRORS[code];
    this.code = code;
    this.closeCode = spec.closeCode;
    this.rfc = spec.rfc;
    this.lesson = spec.lesson;
    this.status = spec.status;
    this.byteOffset = byteOffset;
  }
}

/**
 * The one factory. `detail` is appended to the table's message ("... (opcode 0x3)").
 * INTERNAL ignores `detail`: 1011 never leaks internals to the peer or the page.
 */
export function protocolError(code: ProtocolErrorCode, detail?: string, byteOffset?: number): ProtocolError {
  const base = ERRORS[code].message;
  const message = detail && code !== 'INTERNAL' ? `${base} (${detail})` : base;
  return new ProtocolError(code, message, byteOffset);
}

export function isProtocolError(value: unknown): value is ProtocolError {
  return value instanceof ProtocolError;
}

/**
 * The close code to fail a connection with, for anything caught: a ProtocolErrorLike's own
 * code when it may be sent (§7.4), otherwise 1011 (an unexpected exception is our fault).
 */
export function closeCodeFor(error: unknown): number {
  if (typeof error === 'object' && error !== null) {
    const code = (error as Partial<ProtocolErrorLike>).closeCode;
    if (typeof code === 'number' && isSendableCloseCode(code)) return code;
  }
  return 1011;
}

/** Any thrown value as a ProtocolError: ours pass through, anything else becomes INTERNAL. */
export function toProtocolError(error: unknown): ProtocolError {
  return error instanceof ProtocolError ? error : protocolError('INTERNAL');
}
