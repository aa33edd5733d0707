/**
 * The frame list's line for the first frame of a compressed message (RFC 7692): the message as
 * its receiver inflated it, quoted like any text frame, with the compressed size. Loaded with the
 * page's inflater the first time a connection that agreed permessage-deflate is shown, so the
 * first page carries neither.
 */
import { loadPageDeflate } from '../../loopback/page-deflate.ts';
import type { DeflateCodecFactory } from '../lib/deflate.ts';
import { decodeUtf8 } from '../lib/engine.ts';
import { formatSize, hexPreview, quote } from '../../protocol/summary.ts';
import type { FrameRow, SessionLog } from '../connection/session-log.ts';
import { agreedDeflate } from './headers.ts';
import { inflatedMessage } from './inflate.ts';

let codec: DeflateCodecFactory | undefined;

/** Loads the page's inflater (pako); the summaries need it. */
export async function ready(): Promise<void> {
  codec ??= await loadPageDeflate();
}

/**
 * `TEXT deflated 48 B → 13 B: "the message" · rsv1 · masked`, or undefined when `row` starts no
 * compressed message. The sizes come first: a list column cuts the end of a long line, and the
 * learner must see that the LENGTH column (13) is not the text's length.
 */
export function inflatedSummary(log: SessionLog, row: FrameRow): string | undefined {
  const frame = row.frame;
  if (!frame?.rsv1 || (frame.opcode !== 0x1 && frame.opcode !== 0x2)) return undefined;
  const params = agreedDeflate(log.request?.text, log.response?.text);
  if (params === undefined || codec === undefined) return undefined;
  const message = inflatedMessage(log, row, params, codec);
  if (message?.inflated === undefined) return undefined;
  // A fragmented message is shown once its last frame is in.
  if (log.frames[message.frames.at(-1)!]?.frame?.fin !== true) return undefined;
  const shown = frame.opcode === 0x1 ? quote(decodeUtf8(message.inflated)) : hexPreview(message.inflated);
  const flags = ['rsv1', ...(frame.maskKey !== undefined ? ['masked'] : [])].join(' · ');
  const sizes = `deflated ${formatSize(message.inflated.length)} → ${formatSize(message.compressedBytes)}`;
  return `${frame.opcode === 0x1 ? 'TEXT' : 'BINARY'} ${sizes}: ${shown} · ${flags}`;
}
