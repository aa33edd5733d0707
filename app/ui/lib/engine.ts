/**
 * Where the UI imports the RFC 6455 engine from (with engine-basics.ts), so its names are
 * adapted here only.
 * Each name comes from its own module, not from app/protocol/index.ts, so what loads is what is
 * used: the handshake and the connection state machine are in lib/handshake.ts (loaded with the
 * views that use them), and the names the first screen needs are in engine-basics.ts, which the
 * first page's modules import instead of this file (it would bring the codec with it).
 */
export type { Frame, FrameField, ReadyState, Side, WireEvent } from '../../protocol/types.ts';
export { Opcode } from '../../protocol/types.ts';
export * from './engine-basics.ts';
export { isControl } from '../../protocol/opcodes.ts';
export { decodeFrames } from '../../protocol/decoder.ts';
export { encodeFrame, encodeMessage } from '../../protocol/frame.ts';
export { parseClosePayload } from '../../protocol/close.ts';
export { protocolError } from '../../protocol/errors.ts';
export { isolatePeerText, summarizeFrame } from '../../protocol/summary.ts';
