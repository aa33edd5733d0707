/**
 * The one place the UI imports the RFC 6455 engine from, so its names are adapted here only.
 * Each name comes from its own module, not from app/protocol/index.ts: the first load then holds
 * the framing, UTF-8 and close-code modules the lab needs, and not the handshake or the
 * connection state machine (lib/handshake.ts, loaded with the views that use them).
 */
export type { Frame, FrameField, ReadyState, Side, WireEvent } from '../../protocol/types.ts';
export { Opcode } from '../../protocol/types.ts';
export { opcodeName, isControl } from '../../protocol/opcodes.ts';
export { decodeFrames } from '../../protocol/decoder.ts';
export { encodeFrame, encodeMessage } from '../../protocol/frame.ts';
export { describeCloseCode, isSendableCloseCode, CLOSE_CODES } from '../../protocol/close-codes.ts';
export { parseClosePayload, MAX_CLOSE_REASON_BYTES } from '../../protocol/close.ts';
export {
  utf8ByteLength,
  encodeUtf8,
  decodeUtf8,
  isValidUtf8,
  findInvalidUtf8,
  Utf8Validator,
} from '../../protocol/utf8.ts';
export { protocolError } from '../../protocol/errors.ts';
export { encodeBase64, decodeBase64 } from '../../protocol/base64.ts';
export { isolatePeerText, summarizeFrame } from '../../protocol/summary.ts';
