/**
 * permessage-deflate (RFC 7692) for the inspector: the negotiation's parameters and a message
 * inflater. A door of its own, beside lib/engine.ts: the handshake view and a compressed frame's
 * detail load on demand, and these modules with them.
 */
export { parseExtensions, type ExtensionOffer } from '../../protocol/extensions.ts';
export {
  checkDeflateAnswer,
  PERMESSAGE_DEFLATE,
  readDeflateParams,
  type DeflateParams,
} from '../../protocol/permessage-deflate.ts';
export { MessageDeflate, type DeflateCodecFactory } from '../../protocol/deflate.ts';
