import { createDeflateRaw } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  decodeShare,
  encodeShare,
  fromBase64Url,
  MAX_EXPANDED_BYTES,
  MAX_LINK_CHARS,
  MAX_SHARED_CODE,
  shareParam,
  toBase64Url,
  withHash,
  withoutShare,
} from './share.ts';

/** deflate-raw of `head`, then `mib` MiB of 'a', then `tail`: a compression bomb, about 1000:1. */
async function bomb(head: string, mib: number, tail: string): Promise<Uint8Array> {
  const z = createDeflateRaw({ level: 9 });
  const parts: Buffer[] = [];
  z.on('data', (c: Buffer) => parts.push(c));
  const done = new Promise((resolve) => z.on('end', resolve));
  z.write(head);
  const block = Buffer.alloc(1 << 20, 0x61);
  for (let i = 0; i < mib; i++) z.write(block);
  z.end(tail);
  await done;
  return new Uint8Array(Buffer.concat(parts));
}

/** Deflates `text` as encodeShare does, without its size check. */
async function packed(text: string): Promise<string> {
  const bytes = await new Response(
    new Blob([text]).stream().pipeThrough(new CompressionStream('deflate-raw')),
  ).arrayBuffer();
  return `1.${toBase64Url(new Uint8Array(bytes))}`;
}

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

  it('refuses a compression bomb while inflating it: a 272 KB link of 200 MiB of code, memory bounded', async () => {
    const link = `1.${toBase64Url(await bomb('{"s":"x","l":"js","c":"', 200, '"}'))}`;
    expect(link.length).toBeLessThan(MAX_LINK_CHARS); // short enough to be inflated at all
    expect(link.length).toBeGreaterThan(250_000);
    // Peak external memory (ArrayBuffers) while it decodes, sampled as it goes.
    const before = process.memoryUsage().arrayBuffers;
    let peak = before;
    const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().arrayBuffers)), 1);
    const started = performance.now();
    const result = await decodeShare(link);
    const ms = performance.now() - started;
    clearInterval(sample);
    peak = Math.max(peak, process.memoryUsage().arrayBuffers);
    expect(result).toEqual({ ok: false, message: expect.stringContaining('too big to open') });
    if (!result.ok) {
      expect(result.message).toContain(
        `expands to more than ${MAX_EXPANDED_BYTES.toLocaleString('en')} bytes`,
      );
      expect(result.message).toContain('Your own code is untouched');
    }
    // Inflating all of it would hold 200 MiB; it stops a little past MAX_EXPANDED_BYTES.
    expect(peak - before).toBeLessThan(16 * 1024 * 1024);
    expect(ms).toBeLessThan(2_000);
  }, 30_000);

  it('refuses a link longer than any the playground makes before decoding it', async () => {
    const result = await decodeShare(`1.${'A'.repeat(MAX_LINK_CHARS)}`);
    expect(result).toEqual({ ok: false, message: expect.stringContaining('the link is') });
  });

  it('refuses a link holding more code than a link may (not made by the playground)', async () => {
    const code = 'x'.repeat(MAX_SHARED_CODE + 1);
    const result = await decodeShare(await packed(JSON.stringify({ s: 'x', l: 'js', c: code })));
    expect(result).toEqual({
      ok: false,
      message: expect.stringContaining(`holds ${(MAX_SHARED_CODE + 1).toLocaleString('en')} characters`),
    });
  });

  it('still opens the biggest link the playground makes: the longest code, of characters JSON escapes', async () => {
    // Control characters take 6 bytes in JSON (\u0001): the most a character can expand to.
    const code = '\u0001'.repeat(MAX_SHARED_CODE);
    const shared = { ...sample, code };
    expect(await decodeShare(shareParam(await encodeShare(shared))!)).toEqual({ ok: true, shared });
  });
});
