/**
 * permessage-deflate in the engine with the node:zlib codec, two Connections talking to each
 * other: properties over random messages, offers and chunking; the decompression bomb.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Connection } from '../protocol/connection.ts';
import type { DeflateCodecFactory } from '../protocol/deflate.ts';
import { formatExtensions, parseExtensions } from '../protocol/extensions.ts';
import {
  acceptDeflateOffer,
  checkDeflateAnswer,
  DEFAULT_DEFLATE_PARAMS,
  type DeflateParams,
} from '../protocol/permessage-deflate.ts';
import type { ConnectionEvent } from '../protocol/types.ts';
import { nodeEntropy } from './engine-client.ts';
import { zlibCodec } from './zlib-codec.ts';

const codec = zlibCodec();

function drain(c: Connection): ConnectionEvent[] {
  const out: ConnectionEvent[] = [];
  for (let e = c.events(); e.length > 0; e = c.events()) out.push(...e);
  return out;
}

/** Feeds `bytes` to `to` cut at the given fractions. */
function deliver(bytes: Uint8Array[], to: Connection, cuts: number[]): void {
  const all = Buffer.concat(bytes);
  const at = [...new Set(cuts.map((f) => Math.floor(f * all.length)))].sort((a, b) => a - b);
  let from = 0;
  for (const cut of [...at, all.length]) {
    if (cut > from) to.receiveData(new Uint8Array(all.subarray(from, cut)));
    from = Math.max(from, cut);
  }
}

const offerArb = fc.record({
  server_no_context_takeover: fc.boolean(),
  client_no_context_takeover: fc.boolean(),
  server_max_window_bits: fc.option(fc.integer({ min: 9, max: 15 }), { nil: undefined }),
  client_max_window_bits: fc.option(fc.oneof(fc.constant(true as const), fc.integer({ min: 8, max: 15 })), {
    nil: undefined,
  }),
});

/** Negotiates as both sides would: the offer text, the server's answer, the client's reading. */
type Offer = typeof offerArb extends fc.Arbitrary<infer T> ? T : never;

function negotiate(offer: Offer): { server: DeflateParams; client: DeflateParams } {
  const params: Record<string, string | true> = {};
  for (const [k, v] of Object.entries(offer)) {
    if (v === false || v === undefined) continue;
    params[k] = v === true ? true : String(v);
  }
  const text = formatExtensions([{ name: 'permessage-deflate', params }]);
  const accepted = acceptDeflateOffer(parseExtensions(text)!);
  if (!accepted.accepted) throw new Error(`declined ${text}`);
  const answer = parseExtensions(formatExtensions([accepted.answer]))![0]!;
  const verdict = checkDeflateAnswer(answer, parseExtensions(text)![0]!);
  if (!verdict.ok) throw new Error(`client refused ${formatExtensions([answer])}: ${verdict.reason}`);
  return { server: accepted.params, client: verdict.params };
}

const messageArb = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 400 }).map((s) => s.repeat(3)),
  fc.uint8Array({ maxLength: 2000 }),
  fc.constantFrom('', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'),
);

describe('two engines with permessage-deflate (properties)', () => {
  it('every message arrives as sent, both ways, whatever the offer, fragmentation and TCP chunking', () => {
    fc.assert(
      fc.property(
        offerArb,
        fc.array(fc.tuple(messageArb, fc.integer({ min: 1, max: 4 })), { minLength: 1, maxLength: 6 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 8 }),
        (offer, messages, cuts) => {
          const agreed = negotiate(offer);
          const client = new Connection({
            role: 'client',
            entropy: nodeEntropy,
            deflate: { params: agreed.client, codec },
          });
          const server = new Connection({ role: 'server', deflate: { params: agreed.server, codec } });
          for (const [m, fragments] of messages) {
            if (typeof m === 'string') client.sendText(m, { fragments });
            else client.sendBinary(m, { fragments });
          }
          const sent = drain(client).filter((e) => e.kind === 'frame');
          deliver(client.dataToSend(), server, cuts);
          const got = drain(server);
          expect(got.find((e) => e.kind === 'error')).toBeUndefined();
          const received = got.flatMap((e) => (e.kind === 'message' ? [e.data] : []));
          expect(received).toEqual(messages.map(([m]) => m));
          // Back the other way: the server echoes everything.
          for (const m of received) {
            if (typeof m === 'string') server.sendText(m);
            else server.sendBinary(m);
          }
          deliver(server.dataToSend(), client, cuts);
          const echoed = drain(client).flatMap((e) => (e.kind === 'message' ? [e.data] : []));
          expect(echoed).toEqual(received);
          // RFC 7692 §6: RSV1 on the first frame of each message only (unless sent plain, for 8-bit
          // windows), never on continuations.
          for (const f of sent)
            if (f.kind === 'frame' && f.frame.opcode === 0) expect(f.frame.rsv1).toBe(false);
          if (agreed.client.clientMaxWindowBits >= 9)
            for (const f of sent)
              if (f.kind === 'frame' && f.frame.opcode !== 0) expect(f.frame.rsv1).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('context takeover: the same message costs fewer bytes the second time, unless reset', () => {
    for (const noTakeover of [false, true]) {
      const params: DeflateParams = {
        ...DEFAULT_DEFLATE_PARAMS,
        serverNoContextTakeover: noTakeover,
        clientNoContextTakeover: noTakeover,
      };
      const server = new Connection({ role: 'server', deflate: { params, codec } });
      const text = 'a sentence long enough to be worth remembering, repeated. '.repeat(4);
      server.sendText(text);
      const first = server.dataToSend().reduce((n, b) => n + b.length, 0);
      server.sendText(text);
      const second = server.dataToSend().reduce((n, b) => n + b.length, 0);
      if (noTakeover) expect(second).toBe(first);
      else expect(second).toBeLessThan(first / 4);
    }
  });

  it('an empty message is the single byte 0x00 on the wire (7.2.3.6)', () => {
    const params = DEFAULT_DEFLATE_PARAMS;
    const server = new Connection({ role: 'server', deflate: { params, codec } });
    server.sendText('');
    expect([...Buffer.concat(server.dataToSend())]).toEqual([0xc1, 0x01, 0x00]);
  });

  it('invalid DEFLATE data fails the connection with 1007 INFLATE_FAILED', () => {
    const params = DEFAULT_DEFLATE_PARAMS;
    const server = new Connection({ role: 'server', deflate: { params, codec } });
    const client = new Connection({ role: 'client', entropy: nodeEntropy });
    // A frame with RSV1 set whose payload is not DEFLATE (0xff: a reserved block type).
    client.sendFrame({
      fin: true,
      rsv1: true,
      rsv2: false,
      rsv3: false,
      opcode: 1,
      payload: Uint8Array.of(0xff, 0xff),
      maskKey: Uint8Array.of(1, 2, 3, 4),
    });
    deliver(client.dataToSend(), server, []);
    const events = drain(server);
    expect(events.find((e) => e.kind === 'error')).toMatchObject({
      error: { code: 'INFLATE_FAILED', closeCode: 1007 },
    });
  });
});

describe('the decompression bomb', () => {
  it('1 GiB of zeros in ~1 MiB of compressed frame ends in 1009, never holding more than the limit', () => {
    const limit = 4 * 1024 * 1024;
    // The bomb: 1 GiB of zeros deflated 1 MiB at a time into one stream (about 1 KiB per MiB).
    const make = codec({ deflateWindowBits: 15 });
    const zeros = new Uint8Array(1 << 20);
    const parts: Uint8Array[] = [];
    for (let i = 0; i < 1024; i++) parts.push(new Uint8Array(make.deflate(zeros)));
    make.close();
    const compressed = Buffer.concat(parts);
    expect(compressed.length).toBeLessThan(limit);
    // Count what the inflater ever hands back.
    let largest = 0;
    let calls = 0;
    const spying: DeflateCodecFactory = (o) => {
      const c = codec(o);
      return {
        ...c,
        deflate: (d) => c.deflate(d),
        resetDeflate: () => c.resetDeflate(),
        resetInflate: () => c.resetInflate(),
        close: () => c.close(),
        inflate(d, max) {
          calls++;
          const out = c.inflate(d, max);
          largest = Math.max(largest, out?.length ?? 0);
          return out;
        },
      };
    };
    const params = DEFAULT_DEFLATE_PARAMS;
    const server = new Connection({
      role: 'server',
      maxMessageSize: limit,
      deflate: { params, codec: spying },
    });
    const client = new Connection({ role: 'client', entropy: nodeEntropy });
    // 7.2.1: the tail 00 00 ff ff removed, RSV1 on the (only) frame.
    const payload = compressed.subarray(0, compressed.length - 4);
    client.sendFrame({
      fin: true,
      rsv1: true,
      rsv2: false,
      rsv3: false,
      opcode: 2,
      payload,
      maskKey: Uint8Array.of(9, 8, 7, 6),
    });
    const wire = client.dataToSend();
    global.gc?.();
    const before = process.memoryUsage();
    // In 64 KiB reads, as TCP would bring it.
    deliver(
      wire,
      server,
      Array.from({ length: 64 }, (_, i) => i / 64),
    );
    const after = process.memoryUsage();
    const events = drain(server);
    expect(events.find((e) => e.kind === 'error')).toMatchObject({
      error: { code: 'MESSAGE_TOO_BIG', closeCode: 1009 },
    });
    expect(events.find((e) => e.kind === 'close')).toMatchObject({ code: 1006 });
    expect(calls).toBe(1);
    // The inflater stopped at the limit: it never returned (or held) the gigabyte.
    expect(largest).toBe(0);
    expect(after.rss - before.rss).toBeLessThan(256 * 1024 * 1024);
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(64 * 1024 * 1024);
  }, 60_000);
});
