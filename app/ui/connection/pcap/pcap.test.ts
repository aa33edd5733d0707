/**
 * pcapng export and pcap/pcapng import, checked against tshark (Wireshark's dissector): our
 * export dissects as the same WebSocket frames our engine reads from the session, a capture
 * tshark made of a real ws client and server imports as the frames tshark sees, and captures
 * converted by editcap (classic pcap, nanoseconds) import the same.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { decodeFrames, type WireEvent } from '../../lib/engine.ts';
import type { SessionEvent } from '../events.ts';
import { echoSession, frameEvent, REQUEST } from '../fixtures.ts';
import { CaptureError, importCapture } from './capture-import.ts';
import { isCapture } from './capture-read.ts';
import { ethernetIpv4Tcp, readIpTcp, TCP_ACK } from './packets.ts';
import { PcapExportError, sessionToPcapng } from './pcapng-write.ts';

const dir = mkdtempSync(join(tmpdir(), 'wsp-pcap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hasTshark = (() => {
  try {
    execFileSync('tshark', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!hasTshark)
  console.warn('pcap.test.ts: tshark is not installed (apt-get install tshark): its checks are skipped');

interface Row {
  from: 'client' | 'server';
  fin: boolean;
  opcode: number;
  masked: boolean;
  length: number;
  key: string;
  payload: string;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Each frame as our engine reads it from a session's wire events, in order. */
function ourRows(events: readonly SessionEvent[]): Row[] {
  return events
    .filter((e): e is Extract<WireEvent, { kind: 'frame' }> => e.kind === 'frame')
    .map((e) => {
      const { frames } = decodeFrames(e.bytes, { role: 'any' });
      const f = frames[0]!.frame;
      return {
        from: e.from,
        fin: f.fin,
        opcode: f.opcode,
        masked: f.maskKey !== undefined,
        length: f.payload.length,
        key: f.maskKey ? hex(f.maskKey) : '',
        payload: hex(f.payload),
      };
    });
}

type Layer = Record<string, unknown>;
const raw = (l: Layer, k: string): string => ((l[`${k}_raw`] as unknown[] | undefined)?.[0] as string) ?? '';

/** Each WebSocket frame as tshark dissects it (fields websocket.*, payload unmasked). */
function tsharkRows(file: string, port: number): Row[] {
  const out = execFileSync(
    'tshark',
    [
      '-r',
      file,
      '-d',
      `tcp.port==${port},http`,
      '-Y',
      'websocket',
      '-T',
      'json',
      '-x',
      '--no-duplicate-keys',
    ],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const rows: Row[] = [];
  for (const p of JSON.parse(out) as Array<{ _source: { layers: Layer } }>) {
    const layers = p._source.layers;
    const tcp = layers['tcp'] as Layer;
    const fromServer = Number(tcp['tcp.srcport']) === port;
    const ws = layers['websocket'] as Layer | Layer[];
    for (const l of Array.isArray(ws) ? ws : [ws]) {
      const len7 = Number(l['websocket.payload_length']);
      const length =
        len7 === 126
          ? Number(l['websocket.payload_length_ext_16'])
          : len7 === 127
            ? Number(l['websocket.payload_length_ext_64'])
            : len7;
      rows.push({
        from: fromServer ? 'server' : 'client',
        fin: l['websocket.fin'] === '1' || l['websocket.fin'] === 'True',
        opcode: Number(l['websocket.opcode']),
        masked: l['websocket.mask'] === '1' || l['websocket.mask'] === 'True',
        length,
        key: raw(l, 'websocket.masking_key'),
        payload: raw(l, 'websocket.payload'),
      });
    }
  }
  return rows;
}

/** The echo fixture plus frames with 16- and 64-bit lengths (the latter over many segments). */
function richSession(): SessionEvent[] {
  const events = echoSession();
  const t = 1_700_000_000_035; // between the fragments (+31) and the close (+40)
  const big = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 7) & 0xff);
  events.splice(
    events.findIndex((e) => e.kind === 'api' && e.type === 'close-call'),
    0,
    frameEvent(t, 'client', 0x1, 'x'.repeat(300)),
    frameEvent(t + 1, 'server', 0x2, big),
  );
  return events;
}

describe('TCP/IP headers (packets.ts)', () => {
  it('writes IPv4 and TCP checksums that verify (RFC 1071), and reads the segment back', () => {
    const s = {
      src: Uint8Array.of(192, 0, 2, 1),
      dst: Uint8Array.of(198, 51, 100, 1),
      srcPort: 50000,
      dstPort: 80,
      seq: 0xfffffff0,
      ack: 7,
      flags: TCP_ACK,
      payload: Uint8Array.of(1, 2, 3),
    };
    const frame = ethernetIpv4Tcp(s, 1);
    const ip = frame.subarray(14);
    const sum = (b: Uint8Array): number => {
      let n = 0;
      for (let i = 0; i < b.length; i += 2) n += (b[i]! << 8) | (b[i + 1] ?? 0);
      while (n > 0xffff) n = (n & 0xffff) + (n >>> 16);
      return n;
    };
    expect(sum(ip.subarray(0, 20))).toBe(0xffff);
    const pseudo = Uint8Array.of(...s.src, ...s.dst, 0, 6, 0, 23);
    expect(sum(Uint8Array.of(...pseudo, ...ip.subarray(20)))).toBe(0xffff);
    expect(readIpTcp(ip)).toMatchObject({
      srcPort: 50000,
      dstPort: 80,
      seq: 0xfffffff0,
      ack: 7,
      flags: TCP_ACK,
    });
  });
});

describe('pcapng export', () => {
  it('refuses a session with no handshake, saying why', () => {
    const noHandshake = echoSession().filter((e) => e.kind !== 'handshake');
    expect(() => sessionToPcapng('ws://example.test/echo', noHandshake)).toThrow(PcapExportError);
  });

  it.runIf(hasTshark)(
    'tshark reads our export as the same frames (opcode, FIN, mask, key, length, payload) as our engine',
    () => {
      const events = richSession();
      const file = join(dir, 'export.pcapng');
      writeFileSync(file, sessionToPcapng('ws://127.0.0.1:5173/echo', events));
      const theirs = tsharkRows(file, 5173);
      expect(theirs).toHaveLength(10);
      expect(theirs).toEqual(ourRows(events));
      // The TCP around them: a three-way handshake, then FIN each way; nothing tshark flags.
      const flags = execFileSync(
        'tshark',
        ['-r', file, '-d', 'tcp.port==5173,http', '-T', 'fields', '-e', 'tcp.flags.str'],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
      )
        .trim()
        .split('\n')
        .map((f) => f.replace(/\W/g, '').replace(/·/g, ''));
      expect(flags.slice(0, 3)).toEqual(['S', 'AS', 'A']);
      expect(flags.filter((f) => f.includes('F'))).toHaveLength(2);
      const problems = execFileSync(
        'tshark',
        ['-r', file, '-d', 'tcp.port==5173,http', '-Y', '_ws.expert.severity >= warning'],
        {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
        },
      );
      expect(problems).toBe('');
    },
    60_000,
  );
});

describe('capture import', () => {
  it('imports our own export with the frames, handshake, times and EOFs it was made from', () => {
    const events = richSession();
    const [file, ...more] = importCapture(sessionToPcapng('ws://127.0.0.1:5173/echo', events));
    expect(more).toEqual([]);
    expect(file!.url).toBe('ws://example.test/echo');
    expect(ourRows(file!.events)).toEqual(ourRows(events));
    const hs = file!.events.filter((e) => e.kind === 'handshake');
    expect(hs.map((e) => e.from)).toEqual(['client', 'server']);
    expect(hs[0]).toMatchObject({ text: REQUEST });
    // Times come back in milliseconds from the capture's microseconds (a segment cut from one
    // frame may be a microsecond later than the one before it).
    const frameTimes = (evs: readonly SessionEvent[]) =>
      evs.filter((e) => e.kind === 'frame').map((e) => Math.round(e.t));
    expect(frameTimes(file!.events)).toEqual(frameTimes(events));
    expect(
      file!.events
        .filter((e) => e.kind === 'eof')
        .map((e) => e.from)
        .sort(),
    ).toEqual(['client', 'server']);
  });

  it.runIf(hasTshark)(
    'imports editcap conversions (classic pcap in microseconds and nanoseconds) the same',
    () => {
      const events = richSession();
      const src = join(dir, 'src.pcapng');
      writeFileSync(src, sessionToPcapng('ws://127.0.0.1:5173/echo', events));
      for (const format of ['pcap', 'nsecpcap']) {
        const out = join(dir, `out.${format}`);
        execFileSync('editcap', ['-F', format, src, out], { stdio: 'ignore' });
        const [file] = importCapture(new Uint8Array(readFileSync(out)));
        expect(ourRows(file!.events)).toEqual(ourRows(events));
      }
    },
    60_000,
  );

  it('says what it found when a capture has no WebSocket upgrade, and refuses what is no capture', () => {
    const plain = sessionToPcapng('ws://127.0.0.1:8080/', [
      { kind: 'handshake', t: 1, from: 'client', text: 'GET / HTTP/1.1\r\nHost: x\r\n\r\n' },
      { kind: 'handshake', t: 2, from: 'server', text: 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n' },
    ]);
    expect(() => importCapture(plain)).toThrow(
      /no WebSocket connection in this pcapng capture: 8 packets, 1 TCP connection/,
    );
    expect(isCapture(new TextEncoder().encode('{"format":'))).toBe(false);
    expect(() => importCapture(new TextEncoder().encode('hello'))).toThrow(CaptureError);
  });

  it.runIf(hasTshark)(
    'imports a capture written by tshark itself (tshark -r export -w) with the frames tshark sees',
    () => {
      const events = richSession();
      const src = join(dir, 'ours.pcapng');
      const rewritten = join(dir, 'tshark-made.pcapng');
      writeFileSync(src, sessionToPcapng('ws://127.0.0.1:5173/echo', events));
      execFileSync('tshark', ['-r', src, '-w', rewritten], { stdio: 'ignore' });
      const [file] = importCapture(new Uint8Array(readFileSync(rewritten)));
      expect(ourRows(file!.events)).toEqual(tsharkRows(rewritten, 5173));
    },
    60_000,
  );

  it.runIf(hasTshark && process.getuid?.() === 0)(
    'imports a capture tshark made on lo of a ws client and server with the frames tshark sees',
    async (ctx) => {
      const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
      await new Promise<void>((r) => wss.once('listening', () => r()));
      const port = (wss.address() as AddressInfo).port;
      wss.on('connection', (ws) => {
        ws.on('message', (d: Buffer, isBinary: boolean) => ws.send(d, { binary: isBinary }));
      });
      const file = join(dir, 'live.pcapng');
      const tshark = spawn('tshark', ['-i', 'lo', '-w', file, '-f', `tcp port ${port}`], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      await new Promise<void>((resolve, reject) => {
        let err = '';
        tshark.stderr.on('data', (d: Buffer) => {
          err += d.toString();
          if (err.includes('Capturing on')) resolve();
        });
        tshark.once('exit', () => reject(new Error(`tshark could not capture: ${err}`)));
      });
      try {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/live?x=1`, ['chat'], { perMessageDeflate: false });
        await new Promise<void>((r) => ws.once('open', () => r()));
        const echoed = (n: number): Promise<void> =>
          new Promise((r) => {
            let left = n;
            const on = (): void => {
              if (--left === 0) {
                ws.off('message', on);
                r();
              }
            };
            ws.on('message', on);
          });
        const got = echoed(3);
        ws.send('hello capture');
        ws.send(Buffer.alloc(5000, 7));
        ws.send('frag ', { fin: false });
        ws.send('ment', { fin: true });
        await got;
        const pong = new Promise<void>((r) => ws.once('pong', () => r()));
        ws.ping('pp');
        await pong;
        ws.close(4000, 'done');
        await new Promise<void>((r) => ws.once('close', () => r()));
        await new Promise((r) => setTimeout(r, 500));
      } finally {
        const exited = new Promise<void>((r) => tshark.once('exit', () => r()));
        tshark.kill('SIGINT');
        await exited;
        await new Promise<void>((r) => wss.close(() => r()));
      }
      const theirs = tsharkRows(file, port);
      // Some machines (virtual ones) show no loopback packets to a capture: nothing to compare.
      if (theirs.length === 0) ctx.skip('tshark captured no packets on lo on this machine');
      const [session, ...more] = importCapture(new Uint8Array(readFileSync(file)));
      expect(more).toEqual([]);
      expect(session!.url).toBe(`ws://127.0.0.1:${port}/live?x=1`);
      expect(session!.protocols).toEqual(['chat']);
      const ours = ourRows(session!.events);
      // text, binary, two fragments, their three echoes, ping, pong, close both ways
      expect(ours.map((r) => `${r.from[0]}${r.opcode}${r.fin ? 'F' : ''}`)).toEqual(
        expect.arrayContaining([
          'c1F',
          'c2F',
          'c1',
          'c0F',
          's1F',
          's2F',
          'c9F',
          'sAF'.replace('A', '10'),
          'c8F',
          's8F',
        ]),
      );
      expect(ours).toHaveLength(theirs.length);
      // tshark lists frames per packet; the two directions may interleave differently by a
      // microsecond, so each direction is compared in its own order.
      for (const side of ['client', 'server'] as const)
        expect(ours.filter((r) => r.from === side)).toEqual(theirs.filter((r) => r.from === side));
    },
    60_000,
  );
});
