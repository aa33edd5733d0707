/**
 * The page's DEFLATE codec (pako) against node:zlib's raw DEFLATE, and in the engine: what one
 * compresses the other inflates, the window kept or reset, the inflated limit, bad data.
 */
import { deflateRawSync, inflateRawSync, constants } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Connection } from '../protocol/connection.ts';
import { DEFAULT_DEFLATE_PARAMS } from '../protocol/permessage-deflate.ts';
import { pakoCodec } from './pako-codec.ts';

const TAIL = [0x00, 0x00, 0xff, 0xff];

describe('pako codec', () => {
  it('deflate ends with a sync flush (00 00 ff ff) and node:zlib inflates it, window kept across messages', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 3000 }), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 9, max: 15 }),
        (messages, bits) => {
          const c = pakoCodec({ deflateWindowBits: bits });
          const stream: number[] = [];
          for (const m of messages.filter((x) => x.length > 0)) {
            const out = c.deflate(m);
            expect([...out.subarray(out.length - 4)]).toEqual(TAIL);
            stream.push(...out);
          }
          const all = Buffer.concat(messages.filter((x) => x.length > 0));
          const back = inflateRawSync(Buffer.from(stream), { finishFlush: constants.Z_SYNC_FLUSH });
          expect(back.equals(all)).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('inflates what node:zlib deflates, and stops at the limit', () => {
    const c = pakoCodec({ deflateWindowBits: 15 });
    const text = Buffer.from('inflate me, inflate me again. '.repeat(50));
    const z = deflateRawSync(text, { finishFlush: constants.Z_SYNC_FLUSH });
    expect(Buffer.from(c.inflate(z, 1 << 20)!).equals(text)).toBe(true);
    const bomb = deflateRawSync(Buffer.alloc(64 << 20), { finishFlush: constants.Z_SYNC_FLUSH });
    const fresh = pakoCodec({ deflateWindowBits: 15 });
    expect(fresh.inflate(bomb, 1 << 20)).toBeUndefined();
  });

  it('throws on data that is not DEFLATE', () => {
    expect(() => pakoCodec({ deflateWindowBits: 15 }).inflate(Uint8Array.of(0xff, 0xff, 0xff), 100)).toThrow(
      /invalid DEFLATE/,
    );
  });

  it('two engines on pako exchange compressed messages, context taken over or not', () => {
    for (const serverNoContextTakeover of [false, true]) {
      const params = { ...DEFAULT_DEFLATE_PARAMS, serverNoContextTakeover };
      const server = new Connection({ role: 'server', deflate: { params, codec: pakoCodec } });
      const client = new Connection({
        role: 'client',
        entropy: { randomBytes: (n) => new Uint8Array(n).fill(3) },
        deflate: { params, codec: pakoCodec },
      });
      const sizes: number[] = [];
      for (const text of ['hello hello hello hello', 'hello hello hello hello', '']) {
        server.sendText(text);
        const bytes = server.dataToSend();
        sizes.push(bytes.reduce((n, b) => n + b.length, 0));
        for (const b of bytes) client.receiveData(b);
        const got = client.events().filter((e) => e.kind === 'message');
        expect(got.map((e) => e.data)).toEqual([text]);
      }
      if (serverNoContextTakeover) expect(sizes[1]).toBe(sizes[0]);
      else expect(sizes[1]).toBeLessThan(sizes[0]!);
    }
  });
});
