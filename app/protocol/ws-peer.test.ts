/**
 * The `ws` package as an outside peer: frames made by its Sender decode right with ours, ours
 * decode right with its Receiver, both roles, all length forms, fragmented messages, control
 * and close frames; and on broken input both fail with the same close code.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Receiver, Sender } from 'ws';
import { Connection } from './connection.ts';
import { FrameDecoder } from './decoder.ts';
import { encodeFrame, encodeMessage } from './frame.ts';
import { MessageAssembler } from './message.ts';
import { allEvents, fixedEntropy, frame, fromHex, hex, text } from './test-helpers.ts';
import type { Frame, Role } from './types.ts';

// ---- ws as the sender ------------------------------------------------------------------------

/** Bytes ws's Sender writes for some calls, over a fake socket (masking is per call). */
function wsSends(act: (s: Sender) => void): Uint8Array {
  const chunks: Uint8Array[] = [];
  const socket = {
    write(chunk: Uint8Array | string, cb?: () => void): boolean {
      chunks.push(typeof chunk === 'string' ? text(chunk) : Uint8Array.from(chunk));
      cb?.();
      return true;
    },
    cork(): void {},
    uncork(): void {},
  };
  let k = 0;
  // A fixed mask key sequence so failures are reproducible.
  const generateMask = (mask: Buffer): void => {
    for (let i = 0; i < 4; i++) mask[i] = (k++ * 29 + 7) & 0xff;
  };
  const sender = new Sender(socket, {}, generateMask);
  act(sender);
  return Uint8Array.from(chunks.flatMap((c) => [...c]));
}

type Msg =
  | { kind: 'message'; data: string | string[] }
  | { kind: 'ping' | 'pong'; data: string }
  | { kind: 'close'; code: number; reason: string };

/** Our reading: decoder + assembler as a `role` endpoint. */
function oursRead(bytes: Uint8Array, role: Role): Msg[] {
  const c = new Connection({ role, entropy: fixedEntropy(), maxMessageSize: 1 << 30 });
  c.receiveData(bytes);
  if (role === 'client') c.receiveEof();
  const out: Msg[] = [];
  for (const e of allEvents(c)) {
    if (e.kind === 'error') throw e.error;
    if (e.kind === 'message')
      out.push({ kind: 'message', data: typeof e.data === 'string' ? e.data : ['bin', hex(e.data)] });
    if (e.kind === 'ping' || e.kind === 'pong') out.push({ kind: e.kind, data: hex(e.data) });
    if (e.kind === 'close' && (e.code !== 1006 || e.wasClean))
      out.push({ kind: 'close', code: e.code, reason: e.reason });
  }
  return out;
}

// ---- ws as the receiver ----------------------------------------------------------------------

interface WsVerdict {
  messages: Msg[];
  error?: { code: string; status: number };
}

/** What ws's Receiver makes of `bytes`, as a `role` endpoint (isServer for 'server'). */
async function wsReads(bytes: Uint8Array, role: Role, chunkSize = Infinity): Promise<WsVerdict> {
  const receiver = new Receiver({ isServer: role === 'server', maxPayload: 0 });
  const verdict: WsVerdict = { messages: [] };
  receiver.on('message', (data: Buffer, isBinary: boolean) =>
    verdict.messages.push({ kind: 'message', data: isBinary ? ['bin', hex(data)] : data.toString('utf8') }),
  );
  receiver.on('ping', (d: Buffer) => verdict.messages.push({ kind: 'ping', data: hex(d) }));
  receiver.on('pong', (d: Buffer) => verdict.messages.push({ kind: 'pong', data: hex(d) }));
  receiver.on('conclude', (code: number, reason: Buffer) =>
    verdict.messages.push({ kind: 'close', code, reason: reason.toString('utf8') }),
  );
  receiver.on('error', (err: Error & { code: string }) => {
    const status = Object.getOwnPropertySymbols(err).find((s) => s.description === 'status-code');
    verdict.error = {
      code: err.code,
      status: status ? ((err as unknown as Record<symbol, number>)[status] ?? 0) : 0,
    };
  });
  for (let i = 0; i < bytes.length; i += Math.min(chunkSize, bytes.length)) {
    receiver.write(Buffer.from(bytes.subarray(i, i + Math.min(chunkSize, bytes.length))));
  }
  await new Promise((resolve) => setImmediate(resolve));
  return verdict;
}

/** The same verdict in our terms: messages, and the close code of the first error. */
function oursVerdict(bytes: Uint8Array, role: Role): { messages: Msg[]; status?: number } {
  const c = new Connection({ role, entropy: fixedEntropy(), maxMessageSize: 1 << 30 });
  c.receiveData(bytes);
  const messages: Msg[] = [];
  let status: number | undefined;
  for (const e of c.events()) {
    if (e.kind === 'error') status = e.error.closeCode;
    if (e.kind === 'message')
      messages.push({ kind: 'message', data: typeof e.data === 'string' ? e.data : ['bin', hex(e.data)] });
    if (e.kind === 'ping' || e.kind === 'pong') messages.push({ kind: e.kind, data: hex(e.data) });
  }
  // A received close is reported by ws as 'conclude'.
  if (c.closeReceived) messages.push({ kind: 'close', code: c.closeCode!, reason: c.closeReason! });
  return status === undefined ? { messages } : { messages, status };
}

const SIZES = [0, 1, 125, 126, 127, 65535, 65536, 70000];

describe('ws Sender -> our decoder', () => {
  for (const wsRole of ['client', 'server'] as const) {
    const mask = wsRole === 'client';
    const ourRole: Role = wsRole === 'client' ? 'server' : 'client';
    it(`decodes ws ${wsRole} frames of every length form (${SIZES.join(', ')} bytes), text and binary`, () => {
      for (const n of SIZES) {
        const payload = Uint8Array.from({ length: n }, (_, i) => (i * 7) & 0x7f); // ASCII: valid as text too
        const bytes = wsSends((s) => {
          s.send(Buffer.from(payload), { binary: true, fin: true, mask, compress: false }, () => {});
          s.send(
            Buffer.from(payload).toString('latin1'),
            { binary: false, fin: true, mask, compress: false },
            () => {},
          );
        });
        expect(oursRead(bytes, ourRole)).toEqual([
          { kind: 'message', data: ['bin', hex(payload)] },
          { kind: 'message', data: new TextDecoder().decode(payload) },
        ]);
      }
    });

    it(`decodes a ws ${wsRole} fragmented message with a ping in between, then a close`, () => {
      const bytes = wsSends((s) => {
        s.send('Hel', { binary: false, fin: false, mask, compress: false }, () => {});
        s.ping(Buffer.from('p'), mask, () => {});
        s.send('lo wörld', { binary: false, fin: false, mask, compress: false }, () => {});
        s.send('', { binary: false, fin: true, mask, compress: false }, () => {});
        s.pong(Buffer.from([1, 2]), mask, () => {});
        s.close(4001, 'bye ✓', mask, () => {});
      });
      expect(oursRead(bytes, ourRole)).toEqual([
        { kind: 'ping', data: '70' },
        { kind: 'message', data: 'Hello wörld' },
        { kind: 'pong', data: '0102' },
        { kind: 'close', code: 4001, reason: 'bye ✓' },
      ]);
    });

    it(`ws ${wsRole} frames fed one byte at a time decode to the same frames`, () => {
      const bytes = wsSends((s) =>
        s.send('Hello, peer', { binary: false, fin: true, mask, compress: false }, () => {}),
      );
      const d = new FrameDecoder({ role: ourRole });
      const frames: Frame[] = [];
      for (const b of bytes) {
        d.push(Uint8Array.of(b));
        const r = d.next();
        if (r.kind === 'error') throw r.error;
        if (r.kind === 'frame') frames.push(r.frame);
      }
      expect(frames.map((f) => new TextDecoder().decode(f.payload))).toEqual(['Hello, peer']);
      expect(frames[0]?.maskKey !== undefined).toBe(mask);
    });
  }

  it('random ws messages (any size, fragmented) decode to the same data', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ data: fc.uint8Array({ maxLength: 300 }), cuts: fc.integer({ min: 1, max: 3 }) }),
          { minLength: 1, maxLength: 5 },
        ),
        fc.boolean(),
        (messages, wsIsClient) => {
          const bytes = wsSends((s) => {
            for (const { data, cuts } of messages) {
              const size = Math.ceil(data.length / cuts) || 1;
              for (let i = 0; i < cuts; i++) {
                s.send(
                  Buffer.from(data.subarray(i * size, (i + 1) * size)),
                  { binary: true, fin: i === cuts - 1, mask: wsIsClient, compress: false },
                  () => {},
                );
              }
            }
          });
          const a = new MessageAssembler();
          const d = new FrameDecoder({ role: wsIsClient ? 'server' : 'client', onHeader: (h) => a.check(h) });
          d.push(bytes);
          const got: string[] = [];
          for (let r = d.next(); r.kind !== 'more'; r = d.next()) {
            if (r.kind === 'error') throw r.error;
            const m = a.push(r.frame);
            if (m.kind === 'error') throw m.error;
            if (m.kind === 'message') got.push(hex(m.bytes));
          }
          expect(got).toEqual(messages.map((m) => hex(m.data)));
        },
      ),
      { numRuns: 200 },
    );
  }, 30_000);
});

describe('our encoder -> ws Receiver', () => {
  for (const ourRole of ['client', 'server'] as const) {
    const wsRole: Role = ourRole === 'client' ? 'server' : 'client';
    it(`ws reads our ${ourRole} frames of every length form, text and binary`, async () => {
      for (const n of SIZES) {
        const payload = Uint8Array.from({ length: n }, (_, i) => (i * 11) & 0x7f);
        const frames = [
          ...encodeMessage(ourRole, 0x2, payload, { entropy: fixedEntropy([9, 8, 7, 6, 5]) }),
          ...encodeMessage(ourRole, 0x1, payload, { entropy: fixedEntropy([1, 2, 3, 4, 5]) }),
        ];
        const bytes = Uint8Array.from(frames.flatMap((f) => [...f.bytes]));
        const v = await wsReads(bytes, wsRole, 1000);
        expect(v.error).toBeUndefined();
        expect(v.messages).toEqual([
          { kind: 'message', data: ['bin', hex(payload)] },
          { kind: 'message', data: new TextDecoder().decode(payload) },
        ]);
      }
    });

    it(`ws reads our ${ourRole} connection: fragmented text, ping, pong, close`, async () => {
      const c = new Connection({ role: ourRole, entropy: fixedEntropy([0xde, 0xad, 0xbe, 0xef, 0x01]) });
      c.sendText('Hello wörld ✓', { fragments: 4 });
      c.ping('hb');
      c.pong(Uint8Array.of(0, 1));
      c.sendBinary(new Uint8Array(300).fill(7), { fragments: [100, 0, 200] });
      c.close(1001, 'going');
      const bytes = Uint8Array.from(c.dataToSend().flatMap((b) => [...b]));
      const v = await wsReads(bytes, wsRole, 3);
      expect(v.error).toBeUndefined();
      expect(v.messages).toEqual([
        { kind: 'message', data: 'Hello wörld ✓' },
        { kind: 'ping', data: hex(text('hb')) },
        { kind: 'pong', data: '0001' },
        { kind: 'message', data: ['bin', '07'.repeat(300)] },
        { kind: 'close', code: 1001, reason: 'going' },
      ]);
    });
  }

  it('random frames from our encoder read the same in ws and in ours', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({ data: fc.string({ maxLength: 200 }), fragments: fc.integer({ min: 1, max: 4 }) }),
          { minLength: 1, maxLength: 4 },
        ),
        fc.boolean(),
        async (messages, client) => {
          const role: Role = client ? 'client' : 'server';
          const bytes = Uint8Array.from(
            messages.flatMap((m) =>
              encodeMessage(role, 0x1, m.data, {
                fragments: m.fragments,
                entropy: fixedEntropy([3, 1, 4, 1, 5, 9, 2, 6]),
              }).flatMap((f) => [...f.bytes]),
            ),
          );
          const peer: Role = client ? 'server' : 'client';
          const v = await wsReads(bytes, peer);
          expect(v.error).toBeUndefined();
          expect(v.messages).toEqual(oursVerdict(bytes, peer).messages);
          expect(v.messages).toEqual(messages.map((m) => ({ kind: 'message', data: m.data })));
        },
      ),
      { numRuns: 100 },
    );
  }, 30_000);
});

describe('broken input: ws and ours fail with the same close code', () => {
  const K = fromHex('0a0b0c0d');
  const s = (f: Frame): Uint8Array => encodeFrame({ ...f, maskKey: K }); // as a client sends it
  const cases: Array<[string, Role, Uint8Array]> = [
    ['a reserved opcode', 'server', s(frame(0x3, 'x'))],
    ['a reserved control opcode', 'client', encodeFrame(frame(0xc, ''))],
    ['RSV1 without an extension', 'server', s(frame(0x1, 'x', { rsv1: true }))],
    ['RSV2', 'client', encodeFrame(frame(0x2, 'x', { rsv2: true }))],
    ['an unmasked client frame', 'server', encodeFrame(frame(0x1, 'x'))],
    ['a masked server frame', 'client', s(frame(0x1, 'x'))],
    ['a fragmented ping', 'server', s(frame(0x9, '', { fin: false }))],
    ['a 126-byte ping', 'client', encodeFrame(frame(0x9, new Uint8Array(126)))],
    ['a continuation first', 'server', s(frame(0x0, 'x'))],
    [
      'a new message inside a fragmented one',
      'client',
      Uint8Array.from([...encodeFrame(frame(0x1, 'a', { fin: false })), ...encodeFrame(frame(0x1, 'b'))]),
    ],
    ['a 1-byte close', 'server', s(frame(0x8, Uint8Array.of(3)))],
    ['close code 1005', 'client', encodeFrame(frame(0x8, Uint8Array.of(0x03, 0xed)))],
    ['close code 2000', 'server', s(frame(0x8, Uint8Array.of(0x07, 0xd0)))],
    ['close code 5000', 'client', encodeFrame(frame(0x8, Uint8Array.of(0x13, 0x88)))],
    ['a close reason that is not UTF-8', 'server', s(frame(0x8, Uint8Array.of(0x03, 0xe8, 0xc3)))],
    ['invalid UTF-8 in text', 'client', encodeFrame(frame(0x1, Uint8Array.of(0xed, 0xa0, 0x80)))],
    ['an overlong encoding in text', 'server', s(frame(0x1, Uint8Array.of(0xc0, 0xaf)))],
    [
      'text that ends mid-character across fragments',
      'client',
      Uint8Array.from([
        ...encodeFrame(frame(0x1, Uint8Array.of(0xe2), { fin: false })),
        ...encodeFrame(frame(0x0, Uint8Array.of(0x82))),
      ]),
    ],
  ];
  for (const [what, role, bytes] of cases) {
    it(`${what} (read by a ${role})`, async () => {
      const theirs = await wsReads(bytes, role);
      const ours = oursVerdict(bytes, role);
      expect(theirs.error, 'ws accepted it').toBeDefined();
      expect(ours.status).toBe(theirs.error?.status);
    });
  }

  it('known differences: we refuse non-minimal lengths (1002, §5.2 MUST) which ws accepts, and a 64-bit length with its MSB set is 1002 for us, 1009 for ws', async () => {
    const nonMinimal = fromHex('827e0001' + '41'); // 1 byte announced in 16 bits;
    expect((await wsReads(nonMinimal, 'client')).error).toBeUndefined();
    expect(oursVerdict(nonMinimal, 'client').status).toBe(1002);
    const msb = fromHex('827f8000000000000000');
    expect((await wsReads(msb, 'client')).error?.status).toBe(1009);
    expect(oursVerdict(msb, 'client').status).toBe(1002);
  });
});
