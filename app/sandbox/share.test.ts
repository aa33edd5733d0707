import { describe, expect, it } from 'vitest';
import {
  decodeShare,
  encodeShare,
  fromBase64Url,
  MAX_SHARED_CODE,
  shareParam,
  toBase64Url,
  withHash,
  withoutShare,
} from './share.ts';

const sample = {
  snippet: 'chat-client',
  language: 'javascript' as const,
  code: "const ws = new WebSocket('/echo');\n// ünïcödé ✓ 🚀\n",
};

describe('share links', () => {
  it('round-trips code, language and snippet through the hash', async () => {
    const hash = await encodeShare(sample);
    expect(hash).toMatch(/^code=1\.[A-Za-z0-9_-]+$/);
    const value = shareParam(`#${hash}`);
    expect(await decodeShare(value!)).toEqual({ ok: true, shared: sample });
  });

  it('keeps TypeScript as TypeScript', async () => {
    const ts = { ...sample, language: 'typescript' as const, code: 'const n: number = 1;' };
    expect(await decodeShare(shareParam(await encodeShare(ts))!)).toEqual({ ok: true, shared: ts });
  });

  it('compresses: a long repetitive program makes a short link', async () => {
    const code = "ws.send('hello');\n".repeat(500);
    const hash = await encodeShare({ ...sample, code });
    expect(hash.length).toBeLessThan(code.length / 10);
  });

  it('finds the share among other hash parameters, and nothing when there is none', () => {
    expect(shareParam('#x=1&code=1.abc')).toBe('1.abc');
    expect(shareParam('#lesson=3')).toBeUndefined();
    expect(shareParam('')).toBeUndefined();
  });

  it('refuses code too long for a link', async () => {
    await expect(encodeShare({ ...sample, code: 'x'.repeat(MAX_SHARED_CODE + 1) })).rejects.toThrow(
      RangeError,
    );
  });

  it.each([
    ['cut short', (v: string) => v.slice(0, v.length - 8)],
    ['not base64url', (v: string) => v.replace(/.$/, '%')],
    ['no version', (v: string) => v.slice(2)],
    ['bytes flipped', (v: string) => v.slice(0, 10) + (v[10] === 'A' ? 'B' : 'A') + v.slice(11)],
  ])('says a link is damaged (%s) instead of throwing', async (_name, damage) => {
    const value = shareParam(await encodeShare(sample))!;
    const result = await decodeShare(damage(value));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(/damaged|another version/);
  });

  it('names a link from another format version', async () => {
    const result = await decodeShare('9.abcd');
    expect(result).toEqual({ ok: false, message: expect.stringContaining('another version') });
  });

  it('rejects well-formed data of the wrong shape', async () => {
    const packed = new Uint8Array(
      await new Response(
        new Blob([JSON.stringify({ c: 5 })]).stream().pipeThrough(new CompressionStream('deflate-raw')),
      ).arrayBuffer(),
    );
    expect((await decodeShare(`1.${toBase64Url(packed)}`)).ok).toBe(false);
  });

  it('base64url round-trips every byte value', () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(fromBase64Url(toBase64Url(bytes))).toEqual(bytes);
  });

  it('puts a share in a URL and takes it out again, keeping the rest', () => {
    expect(withHash('http://h/playground/?x=1#old', 'code=1.abc')).toBe(
      'http://h/playground/?x=1#code=1.abc',
    );
    expect(withoutShare('http://h/p/#code=1.abc')).toBe('http://h/p/');
    expect(withoutShare('http://h/p/#lesson=2&code=1.abc')).toBe('http://h/p/#lesson=2');
  });
});
