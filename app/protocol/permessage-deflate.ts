/**
 * RFC 7692: the permessage-deflate extension, its negotiation (§7.1).
 *
 * A client offers `permessage-deflate` with parameters (several offers, in order of preference,
 * may be listed); the server accepts at most one of them and answers with the parameters that
 * then apply to both directions. Four parameters exist:
 *
 *   server_no_context_takeover   the server resets its compression window after each message
 *   client_no_context_takeover   the client does
 *   server_max_window_bits=N     the server compresses with a window of at most 2^N bytes (8-15)
 *   client_max_window_bits[=N]   the client does; without a value in an offer it only says
 *                                "I can honour a limit" (the server may then send one)
 *
 * The compression itself is in deflate.ts; this module only reads and writes parameters.
 */
import type { ExtensionOffer } from './extensions.ts';

export const PERMESSAGE_DEFLATE = 'permessage-deflate';

/** What both sides agreed; everything not said in the answer is the RFC's default. */
export interface DeflateParams {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  /** 8-15; 15 (the DEFLATE maximum, 32 KiB) when not limited. */
  serverMaxWindowBits: number;
  clientMaxWindowBits: number;
}

export const DEFAULT_DEFLATE_PARAMS: Readonly<DeflateParams> = {
  serverNoContextTakeover: false,
  clientNoContextTakeover: false,
  serverMaxWindowBits: 15,
  clientMaxWindowBits: 15,
};

/** The offer Chromium (and Firefox) send, and so does our loopback client. */
export const BROWSER_DEFLATE_OFFER = 'permessage-deflate; client_max_window_bits';

/** One parameter of an offer or an answer, read (or the reason it is not valid). */
type ParsedParams =
  | {
      ok: true;
      serverNoContextTakeover: boolean;
      clientNoContextTakeover: boolean;
      /** undefined: absent. */
      serverMaxWindowBits: number | undefined;
      /** undefined: absent; true: present without a value (offers only). */
      clientMaxWindowBits: number | true | undefined;
    }
  | { ok: false; reason: string };

/** 7.1.2: a window size is a decimal 8-15 with no leading zero. */
function windowBits(value: string | true): number | undefined {
  if (value === true || !/^(8|9|1[0-5])$/.test(value)) return undefined;
  return Number(value);
}

/**
 * §7.1: the parameters of one permessage-deflate element, checked: only the four known names,
 * each at most once, the two no_context_takeover ones without a value, window bits 8-15.
 * `answer`: client_max_window_bits must then have a value (7.1.2.2).
 */
export function readDeflateParams(offer: ExtensionOffer, answer: boolean): ParsedParams {
  const out = {
    ok: true as const,
    serverNoContextTakeover: false,
    clientNoContextTakeover: false,
    serverMaxWindowBits: undefined as number | undefined,
    clientMaxWindowBits: undefined as number | true | undefined,
  };
  // 7.1: "MUST NOT include ... more than one of the same extension parameter".
  if (offer.repeated !== undefined) return { ok: false, reason: `${offer.repeated[0]} given twice` };
  for (const [name, value] of Object.entries(offer.params)) {
    switch (name) {
      case 'server_no_context_takeover':
      case 'client_no_context_takeover':
        // 7.1.1.1, 7.1.1.2: these have no value.
        if (value !== true) return { ok: false, reason: `${name} takes no value` };
        if (name === 'server_no_context_takeover') out.serverNoContextTakeover = true;
        else out.clientNoContextTakeover = true;
        break;
      case 'server_max_window_bits': {
        // 7.1.2.1: always with a value, 8 to 15.
        const bits = windowBits(value);
        if (bits === undefined) return { ok: false, reason: `${name} must be 8 to 15` };
        out.serverMaxWindowBits = bits;
        break;
      }
      case 'client_max_window_bits': {
        // 7.1.2.2: in an offer the value may be left out; in an answer it must be there.
        if (value === true && !answer) {
          out.clientMaxWindowBits = true;
          break;
        }
        const bits = windowBits(value);
        if (bits === undefined) return { ok: false, reason: `${name} must be 8 to 15` };
        out.clientMaxWindowBits = bits;
        break;
      }
      default:
        // 7.1: an unknown parameter makes the element invalid.
        return { ok: false, reason: `unknown parameter ${name}` };
    }
  }
  return out;
}

export type DeflateAcceptance =
  | { accepted: true; params: DeflateParams; answer: ExtensionOffer; index: number }
  | { accepted: false; declined: Array<{ index: number; reason: string }> };

/**
 * Server side of §7.1: the first permessage-deflate offer this server can accept (offers in the
 * client's order of preference), the answer to send, and what it agrees to. An offer it cannot
 * accept is declined (5: "decline an offer"), never failed: the client then gets no extension
 * from it. Declined: an invalid element, and server_max_window_bits=8 (zlib writes a 9-bit
 * window at least, so we could not keep that promise).
 */
export function acceptDeflateOffer(offers: readonly ExtensionOffer[]): DeflateAcceptance {
  const declined: Array<{ index: number; reason: string }> = [];
  for (let index = 0; index < offers.length; index++) {
    const offer = offers[index]!;
    if (offer.name.toLowerCase() !== PERMESSAGE_DEFLATE) continue;
    const p = readDeflateParams(offer, false);
    if (!p.ok) {
      declined.push({ index, reason: p.reason });
      continue;
    }
    if (p.serverMaxWindowBits === 8) {
      declined.push({ index, reason: 'server_max_window_bits=8: our compressor needs at least 9' });
      continue;
    }
    const params: DeflateParams = { ...DEFAULT_DEFLATE_PARAMS };
    const answer: ExtensionOffer = {
      name: PERMESSAGE_DEFLATE,
      params: Object.create(null) as Record<string, string | true>,
    };
    // 7.1.1.1: asked not to keep our context: we agree by saying it back.
    if (p.serverNoContextTakeover) {
      params.serverNoContextTakeover = true;
      answer.params['server_no_context_takeover'] = true;
    }
    // 7.1.1.2: the client will reset its context anyway; saying it back is optional, and clear.
    if (p.clientNoContextTakeover) {
      params.clientNoContextTakeover = true;
      answer.params['client_no_context_takeover'] = true;
    }
    // 7.1.2.1: a limit on our window must be answered with the same (or a smaller) value.
    if (p.serverMaxWindowBits !== undefined) {
      params.serverMaxWindowBits = p.serverMaxWindowBits;
      answer.params['server_max_window_bits'] = String(p.serverMaxWindowBits);
    }
    // 7.1.2.2: the client said it can honour a limit, or named its own: say the window it uses.
    if (typeof p.clientMaxWindowBits === 'number') {
      params.clientMaxWindowBits = p.clientMaxWindowBits;
      answer.params['client_max_window_bits'] = String(p.clientMaxWindowBits);
    }
    return { accepted: true, params, answer, index };
  }
  return { accepted: false, declined };
}

export type DeflateAnswerVerdict = { ok: true; params: DeflateParams } | { ok: false; reason: string };

/**
 * Client side of §7.1: checks the server's answer against what the client offered (its
 * parameters as text, e.g. `client_max_window_bits`); any problem fails the connection (§5).
 */
export function checkDeflateAnswer(answer: ExtensionOffer, offered: ExtensionOffer): DeflateAnswerVerdict {
  const p = readDeflateParams(answer, true);
  if (!p.ok) return p;
  const o = readDeflateParams(offered, false);
  if (!o.ok) return { ok: false, reason: `our own offer is invalid: ${o.reason}` };
  // 7.1.2.1: the server may name a window for itself even if not asked, but never a larger
  // one than the client asked for.
  if (
    p.serverMaxWindowBits !== undefined &&
    o.serverMaxWindowBits !== undefined &&
    p.serverMaxWindowBits > o.serverMaxWindowBits
  )
    return {
      ok: false,
      reason: `server_max_window_bits=${p.serverMaxWindowBits} is over the ${o.serverMaxWindowBits} offered`,
    };
  // 7.1.1.1: asked not to take over its context, the server must say it agrees.
  if (o.serverNoContextTakeover && !p.serverNoContextTakeover)
    return { ok: false, reason: 'server_no_context_takeover was offered but not answered' };
  if (typeof p.clientMaxWindowBits === 'number') {
    // 7.1.2.2: only if the client said it supports the parameter, and not above its own value.
    if (o.clientMaxWindowBits === undefined)
      return { ok: false, reason: 'client_max_window_bits answered but not offered' };
    if (typeof o.clientMaxWindowBits === 'number' && p.clientMaxWindowBits > o.clientMaxWindowBits)
      return {
        ok: false,
        reason: `client_max_window_bits=${p.clientMaxWindowBits} is over the ${o.clientMaxWindowBits} offered`,
      };
  }
  return {
    ok: true,
    params: {
      serverNoContextTakeover: p.serverNoContextTakeover,
      clientNoContextTakeover: p.clientNoContextTakeover || o.clientNoContextTakeover,
      serverMaxWindowBits: p.serverMaxWindowBits ?? o.serverMaxWindowBits ?? 15,
      clientMaxWindowBits:
        typeof p.clientMaxWindowBits === 'number'
          ? p.clientMaxWindowBits
          : typeof o.clientMaxWindowBits === 'number'
            ? o.clientMaxWindowBits
            : 15,
    },
  };
}
