/**
 * The engine's names the first screen reads without decoding a frame: opcode names, UTF-8
 * lengths and text, close codes and base64. engine.ts re-exports them with the rest of the
 * engine; a module the first page imports takes them from here, because a static import of
 * engine.ts puts every module it re-exports (the decoder, the encoder, the protocol errors)
 * in the first load, whether or not the page calls them.
 */
export { opcodeName } from '../../protocol/opcodes.ts';
export {
  describeCloseCode,
  isSendableCloseCode,
  CLOSE_CODES,
  MAX_CLOSE_REASON_BYTES,
} from '../../protocol/close-codes.ts';
export {
  utf8ByteLength,
  encodeUtf8,
  decodeUtf8,
  isValidUtf8,
  findInvalidUtf8,
  Utf8Validator,
} from '../../protocol/utf8.ts';
export { encodeBase64, decodeBase64 } from '../../protocol/base64.ts';
