/**
 * Content negotiation for precompressed files, pure so it is tested on its own.
 *
 * - `chooseEncoding`: RFC 9110 12.5.3 (Accept-Encoding) with q-values (12.4.2).
 * - `etagMatches`: RFC 9110 13.1.2 (If-None-Match uses the weak comparison, 8.8.3.2).
 */

/** The codings the build writes next to each file (`x.js.br`, `x.js.gz`), best first. */
export const CODINGS = ['br', 'gzip'] as const;
export type Coding = (typeof CODINGS)[number];
export type Chosen = Coding | 'identity';

const UNNAMED_IDENTITY = 0.0005;

/** The file suffix of a precompressed sibling. */
export const SUFFIX: Readonly<Record<Coding, string>> = { br: '.br', gzip: '.gz' };

/** 12.4.2: a weight is 0 to 1 with at most three decimals; anything else is not a weight. */
function parseWeight(params: string[]): number | null {
  for (const param of params) {
    const [name, value] = param.split('=').map((s) => s.trim());
    if (name?.toLowerCase() !== 'q') continue;
    if (value === undefined || !/^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(value)) return null;
    return Number(value);
  }
  return 1;
}

/** Each coding the header names with its weight (lower-cased; `x-gzip` is gzip, 12.5.3). */
export function parseAcceptEncoding(header: string): Map<string, number> {
  const weights = new Map<string, number>();
  for (const item of header.split(',')) {
    const [rawName, ...params] = item.split(';');
    let name = rawName?.trim().toLowerCase() ?? '';
    if (name === '') continue;
    if (name === 'x-gzip') name = 'gzip';
    const q = parseWeight(params);
    if (q === null) continue; // a malformed weight: ignore that member, not the whole header
    // The same coding twice: keep the higher weight (the RFC does not say; this is lenient).
    weights.set(name, Math.max(q, weights.get(name) ?? 0));
  }
  return weights;
}

/**
 * The representation to send, given the request's Accept-Encoding and the codings available
 * for this file. Highest weight wins; on a tie br before gzip before identity (smaller first).
 * With no header every coding is acceptable (12.5.3) but identity is the safe pick, as curl and
 * old clients send none. When nothing acceptable is available (e.g. `identity;q=0` and no
 * sibling): identity anyway; 12.5.3 allows it rather than a 406.
 */
export function chooseEncoding(header: string | undefined, available: readonly Coding[]): Chosen {
  if (header === undefined) return 'identity';
  const weights = parseAcceptEncoding(header);
  const star = weights.get('*');
  const weightOf = (coding: Chosen): number => {
    const q = weights.get(coding);
    if (q !== undefined) return q;
    if (star !== undefined) return star;
    // 12.5.3: identity is acceptable unless excluded (by q=0, or by *;q=0 without naming it);
    // unnamed, it ranks below every coding the client did name (the smallest weight is 0.001).
    return coding === 'identity' ? UNNAMED_IDENTITY : 0;
  };
  let best: Chosen = 'identity';
  let bestQ = weightOf('identity');
  for (const coding of CODINGS) {
    if (!available.includes(coding)) continue;
    const q = weightOf(coding);
    // Strictly better, or as good as identity: a compressed body is preferred at equal weight.
    if (q > 0 && (q > bestQ || (q === bestQ && best === 'identity'))) {
      best = coding;
      bestQ = q;
    }
  }
  return best;
}

/** 13.1.2: `*` matches any current representation; otherwise a weak comparison of each tag. */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const opaque = (tag: string): string => tag.trim().replace(/^W\//, '');
  const mine = opaque(etag);
  return ifNoneMatch.split(',').some((tag) => opaque(tag) === mine);
}
