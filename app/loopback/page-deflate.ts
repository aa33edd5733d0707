/**
 * permessage-deflate in the page: pako (pako-codec.ts) is loaded the first time a loopback
 * connection negotiates the extension, never with the first page. Both ends of a loopback
 * connection are in the page, so once the server side has it, the client side has it too.
 */
import type { DeflateCodecFactory } from '../protocol/index.ts';

let codec: DeflateCodecFactory | undefined;
let loading: Promise<DeflateCodecFactory> | undefined;

/** The codec if loaded already (synchronous, for the engine). */
export function loadedDeflateCodec(): DeflateCodecFactory | undefined {
  return codec;
}

/** Loads the codec (once); resolves with it. */
export function loadPageDeflate(): Promise<DeflateCodecFactory> {
  loading ??= import('./pako-codec.ts').then((m) => (codec = m.pakoCodec));
  return loading;
}
