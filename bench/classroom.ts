/**
 * `npm run bench -- classroom`: a class on this machine against `classroom` as it runs by
 * default (its /chat limits included), the server in its own process serving dist/.
 *
 * - 100 students, each from its own 127.0.x.y address with 3 sockets: the page's /__classroom
 *   (hello, then a progress report every 5 s), /chat (one message a second), /echo (idle);
 * - the instructor's dashboard (roster updates twice a second);
 * - 5 slow readers in /chat (their socket reads 50 ms in every 500 ms), 5 handshake stalls
 *   (half a request head, sent again whenever the server drops it);
 * - from `--flood-at` on, one student floods /chat (small messages as fast as it can write,
 *   reconnecting 100 ms after each close), and another sends 1 MiB messages.
 * Prints chat fan-out latency (send to receive, same clock) p50/p99 before and during the flood,
 * messages lost or reordered for the well-behaved members (each sender numbers its messages),
 * what the slow readers missed (skipped with a notice) or whether they were disconnected, how
 * the flooders were closed, the server's RSS every 5 s, and the bytes of a cold load.
 *
 *   npm run bench -- classroom [--seconds 40] [--flood-at 15] [--students 100]
 */
import http from 'node:http';
import net from 'node:net';
import { readdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';
import { DEFAULT_ROOT } from '../app/server/standalone.ts';
import { startChild, stopChild } from './server.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function address(i: number): string {
  return `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

function grow(a: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> {
  const b = new Float64Array(a.length * 2);
  b.set(a);
  return b;
}

function open(url: string, local: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { localAddress: local, perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

interface Member {
  sender: number;
  slow: boolean;
  ws: WebSocket;
  last: Map<number, number>;
  received: number;
  lost: number;
  reordered: number;
  skippedNotices: number;
  closedCode?: number;
}

/** Bytes on the wire (body as sent, with Accept-Encoding) of one GET. */
function wireBytes(url: string): Promise<{ bytes: number; body: string; encoding: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { 'Accept-Encoding': 'br, gzip' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          resolve({
            bytes: raw.length,
            body: res.headers['content-encoding'] ? '' : raw.toString('utf8'),
            encoding: String(res.headers['content-encoding'] ?? 'identity'),
          });
        });
      })
      .on('error', reject);
  });
}

async function coldLoad(base: string): Promise<string> {
  const page = await wireBytes(base);
  let html = page.body;
  if (!html)
    html = await new Promise<string>((resolve) =>
      http.get(base, (res) => {
        let t = '';
        res.on('data', (d: Buffer) => (t += d.toString()));
        res.on('end', () => resolve(t));
      }),
    );
  const linked = [...html.matchAll(/(?:src|href)="\.?\/?([^"]+\.(?:js|css|svg|webmanifest))"/g)].map(
    (m) => m[1] as string,
  );
  let first = page.bytes;
  const encodings = new Set<string>([page.encoding]);
  for (const file of new Set(linked)) {
    const r = await wireBytes(base + file);
    first += r.bytes;
    encodings.add(r.encoding);
  }
  let all = page.bytes;
  let assets: string[];
  try {
    assets = readdirSync(`${DEFAULT_ROOT}assets`).filter((f) => !/\.(br|gz)$/.test(f));
  } catch {
    return 'dist/ not built: no cold-load figure (npm run build)';
  }
  for (const f of assets) all += (await wireBytes(`${base}assets/${f}`)).bytes;
  const kb = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;
  return (
    `first page (index.html + the ${new Set(linked).size} files it links): ${kb(first)} per student, ` +
    `${((first * 100) / 1024 / 1024).toFixed(1)} MiB for 100; every asset (all panels opened): ${kb(all)} per student, ` +
    `${((all * 100) / 1024 / 1024).toFixed(1)} MiB for 100 (encodings served: ${[...encodings].join(', ')})`
  );
}

export async function runClassroomBench(argv: string[] = []): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { seconds: { type: 'string' }, 'flood-at': { type: 'string' }, students: { type: 'string' } },
    strict: false,
  });
  const seconds = Number(values.seconds ?? 40);
  const floodAt = Number(values['flood-at'] ?? 15);
  const students = Number(values.students ?? 100);
  const { child, port } = await startChild('classroom');
  const base = `http://127.0.0.1:${port}/`;
  const ws = (path: string): string => `ws://127.0.0.1:${port}${path}`;
  const rss = (): Promise<number> =>
    new Promise((resolve) => {
      child.once('message', (m: { rss?: number }) => resolve(m.rss ?? NaN));
      child.send('rss');
    });
  const rssSamples: string[] = [];
  const mib = (n: number): string => `${(n / 1024 / 1024).toFixed(0)}`;
  rssSamples.push(`${mib(await rss())} (idle)`);

  const cold = await coldLoad(base);
  // Latencies as numbers in two growing typed buffers: no object per delivery (the load
  // generator shares 2 cores with the server, so it must stay cheap).
  let before = new Float64Array(1 << 16);
  let during = new Float64Array(1 << 16);
  let nBefore = 0;
  let nDuring = 0;
  let floodStart = Infinity;
  // The slow readers' own deliveries wait for their pauses (up to 450 ms) by design: they are
  // counted apart, so the figure says what the well-behaved 95 see.
  const slowLatencies: number[] = [];
  const record = (ms: number, slow: boolean): void => {
    if (slow) slowLatencies.push(ms);
    else if (Date.now() < floodStart) {
      if (nBefore === before.length) before = grow(before);
      before[nBefore++] = ms;
    } else {
      if (nDuring === during.length) during = grow(during);
      during[nDuring++] = ms;
    }
  };
  const members: Member[] = [];
  const closes = new Map<string, number>();
  let stopping = false;

  // The class.
  const dash = await open(ws('/__classroom/dashboard?key=bench-secret'), '127.0.0.1');
  let dashboardUpdates = 0;
  dash.on('message', () => dashboardUpdates++);
  const classroomSockets: WebSocket[] = [];
  for (let i = 0; i < students; i++) {
    const local = address(i);
    const page = await open(ws('/__classroom'), local);
    page.send(JSON.stringify({ type: 'hello', name: `Student ${i + 1}` }));
    classroomSockets.push(page, await open(ws('/echo'), local));
    const m: Member = {
      sender: i,
      slow: i < 5,
      ws: await open(ws('/chat'), local),
      last: new Map(),
      received: 0,
      lost: 0,
      reordered: 0,
      skippedNotices: 0,
    };
    m.ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary || data[0] !== 0x4d /* 'M' */) {
        if (data.includes('"skipped"')) m.skippedNotices += 1;
        return;
      }
      const [, from, seq, t] = data.toString('latin1').split(':');
      const s = Number(from);
      const n = Number(seq);
      record(Date.now() - Number(t), m.slow);
      m.received += 1;
      const prev = m.last.get(s) ?? -1;
      if (n <= prev) m.reordered += 1;
      else {
        m.lost += n - prev - 1;
        m.last.set(s, n);
      }
    });
    m.ws.on('close', (code: number, reason: Buffer) => {
      m.closedCode = code;
      if (stopping) return;
      const key = `${m.slow ? 'slow reader' : 'member'} closed with ${code} ${reason.toString()}`;
      closes.set(key, (closes.get(key) ?? 0) + 1);
    });
    members.push(m);
  }
  // Slow readers: their socket reads 50 ms in every 500 ms.
  for (const m of members.filter((x) => x.slow)) {
    const sock = (m.ws as unknown as { _socket: net.Socket })._socket;
    const tick = (): void => {
      if (stopping) return sock.resume() as unknown as void;
      sock.pause();
      setTimeout(() => {
        sock.resume();
        setTimeout(tick, 50);
      }, 450);
    };
    tick();
  }
  // Handshake stalls: half a request head, again whenever the server drops it.
  const stall = (): void => {
    if (stopping) return;
    const s = net.connect(port, '127.0.0.1', () =>
      s.write('GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n'),
    );
    s.on('error', () => {});
    s.on('close', () => setTimeout(stall, 100));
    stalls.push(s);
  };
  const stalls: net.Socket[] = [];
  for (let i = 0; i < 5; i++) stall();

  // Progress reports every 5 s; chat 1 message a second each, spread over the second.
  const started = Date.now();
  const timers: NodeJS.Timeout[] = [];
  classroomSockets
    .filter((_, k) => k % 2 === 0)
    .forEach((page, i) => {
      let step = 0;
      timers.push(
        setInterval(() => {
          step = (step + 1) % 5;
          const r = {
            type: 'progress',
            lesson: 'masking',
            step,
            steps: 5,
            passed: 0,
            tasks: 1,
            lessonsPassed: 2,
            failing: 'unmask',
          };
          if (page.readyState === WebSocket.OPEN) page.send(JSON.stringify(r));
        }, 5_000 + i),
      );
    });
  const seqs = new Array<number>(students).fill(0);
  members.forEach((m, i) => {
    setTimeout(
      () => {
        timers.push(
          setInterval(() => {
            if (stopping || m.ws.readyState !== WebSocket.OPEN) return;
            m.ws.send(`M:${i}:${seqs[i]!++}:${Date.now()}`);
          }, 1_000),
        );
      },
      (i * 1_000) / students,
    );
  });

  // The flooders, from floodAt on.
  const flood = async (big: boolean): Promise<void> => {
    const local = big ? '127.0.9.2' : '127.0.9.1';
    while (!stopping) {
      let f: WebSocket;
      try {
        f = await open(ws('/chat'), local);
      } catch {
        await sleep(100);
        continue;
      }
      f.on('message', () => {});
      const closed = new Promise<number>((r) => f.once('close', (code) => r(code)));
      const payload = big ? Buffer.alloc(1024 * 1024, 0x61) : 'flood!';
      const pump = (): void => {
        if (f.readyState !== WebSocket.OPEN) return;
        for (let k = 0; k < (big ? 1 : 200); k++) f.send(payload);
        setImmediate(pump);
      };
      pump();
      const code = await closed;
      const key = `${big ? '1 MiB sender' : 'small-message flooder'} closed with ${code}`;
      closes.set(key, (closes.get(key) ?? 0) + 1);
      await sleep(100);
    }
  };
  const floods: Promise<void>[] = [];
  floodStart = started + floodAt * 1_000;
  timers.push(setTimeout(() => floods.push(flood(false), flood(true)), floodAt * 1_000));

  for (let s = 5; s <= seconds; s += 5) {
    await sleep(Math.max(0, started + s * 1_000 - Date.now()));
    rssSamples.push(`${mib(await rss())} (${s} s)`);
  }
  stopping = true;
  for (const t of timers) clearInterval(t);
  await Promise.all(floods);
  await sleep(2_000); // the last messages arrive
  for (const s of stalls) s.destroy();

  const fig = (list: ArrayLike<number>): string => {
    const sorted = Array.from(list).sort((a, b) => a - b);
    return `p50 ${percentile(sorted, 50)} ms, p99 ${percentile(sorted, 99)} ms (${sorted.length} deliveries)`;
  };
  // Messages that never arrived at all (after a member's last one) are lost too.
  for (const m of members)
    for (let i = 0; i < students; i++) m.lost += Math.max(0, (seqs[i] ?? 0) - 1 - (m.last.get(i) ?? -1));
  const good = members.filter((m) => !m.slow);
  const slow = members.filter((m) => m.slow);
  const sum = (l: Member[], k: 'lost' | 'reordered' | 'skippedNotices'): number =>
    l.reduce((a, m) => a + m[k], 0);
  const sent = seqs.reduce((a, n) => a + n, 0);
  console.log(
    `load average at the end: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} on ${cpus().length} cores`,
  );
  console.log(`${students} students x 3 sockets + the dashboard, ${seconds} s, flood from ${floodAt} s`);
  console.log(`chat fan-out to the well-behaved, before the flood: ${fig(before.subarray(0, nBefore))}`);
  console.log(`chat fan-out to the well-behaved, during the flood: ${fig(during.subarray(0, nDuring))}`);
  console.log(`chat fan-out to the slow readers (their pauses included): ${fig(slowLatencies)}`);
  console.log(
    `well-behaved members (${good.length}): ${sent} messages sent, lost ${sum(good, 'lost')}, reordered ${sum(good, 'reordered')}, disconnected ${good.filter((m) => m.closedCode !== undefined).length}`,
  );
  console.log(
    `slow readers (${slow.length}): lost ${sum(slow, 'lost')} (told by ${sum(slow, 'skippedNotices')} skipped notices), reordered ${sum(slow, 'reordered')}, disconnected ${slow.filter((m) => m.closedCode !== undefined).length}`,
  );
  console.log(`closes: ${[...closes].map(([k, n]) => `${k}: ${n}x`).join('; ') || 'never closed'}`);
  console.log(`dashboard: ${dashboardUpdates} updates`);
  console.log(`server RSS (MiB): ${rssSamples.join(', ')}`);
  console.log(`cold load: ${cold}`);
  dash.close();
  for (const s of classroomSockets) s.terminate();
  for (const m of members) m.ws.terminate();
  await stopChild(child);
}
