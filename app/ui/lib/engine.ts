/**
 * The one place the UI imports the RFC 6455 engine from (app/protocol/index.ts), so its names
 * are adapted here only.
 */
export {
  type Frame,
  type FrameField,
  type ReadyState,
  type Side,
  type WireEvent,
  Opcode,
  opcodeName,
  isControl,
  decodeFrames,
  encodeFrame,
  encodeMessage,
  describeCloseCode,
  isSendableCloseCode,
  parseClosePayload,
  MAX_CLOSE_REASON_BYTES,
  utf8ByteLength,
  encodeUtf8,
  decodeUtf8,
  isValidUtf8,
  findInvalidUtf8,
  Utf8Validator,
  protocolError,
  acceptSteps,
  computeAccept,
  parseRequest,
  HeadReader,
  parseResponse,
  encodeBase64,
  decodeBase64,
  CLOSE_CODES,
  WEBSOCKET_GUID,
} from '../../protocol/index.ts';
export { isolatePeerText, summarizeFrame } from '../../protocol/summary.ts';
export { annotateFrame, unmaskSteps, type Annotation, type UnmaskRow } from '../../protocol/annotate.ts';
