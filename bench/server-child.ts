/**
 * One echo server for bench/server.ts, in its own process so the clients' work does not share
 * its event loop: `tsx bench/server-child.ts ours|ws|ws-deflate|classroom` (ours accepts permessage-deflate
 * when offered, as it does by default; ws-deflate is ws with perMessageDeflate on). Which configuration of ws (pure JS or with
 * bufferutil) depends on the environment it is started with (bench/ws-variants.ts). Prints `PORT <n>` once listening,
 * answers an IPC 'cpu' message with its process.cpuUsage() (µs), its count of full GCs and the time spent in GC,
 * and stops on SIGTERM.
 */
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { WebSocketServer } from 'ws';
import { createClassroomHost } from '../app/server/classroom.ts';
import { startStandalone } from '../app/server/standalone.ts';

const kind = process.argv[2];
// Full (mark-compact) collections so far. At 16 KiB a server can fall into doing one about every
// 100 ms (V8's external-memory limit, passed by read buffers waiting for a scavenge), which shows
// in its CPU per message: bench/README.md.
const gc = { full: 0, fullMs: 0, minorMs: 0 };
new PerformanceObserver((list) => {
  for (const e of list.getEntries())
    if (
      (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ===
      constants.NODE_PERFORMANCE_GC_MAJOR
    ) {
      gc.full++;
      gc.fullMs += e.duration;
    } else gc.minorMs += e.duration;
}).observe({ entryTypes: ['gc'] });
process.on('message', (m) => {
  if (m === 'cpu')
    process.send?.({
      cpu: process.cpuUsage(),
      fullGcs: gc.full,
      fullGcMs: gc.fullMs,
      minorGcMs: gc.minorMs,
    });
  if (m === 'rss') process.send?.({ rss: process.memoryUsage().rss });
});
if (kind === 'ours') {
  const s = await startStandalone({
    host: '127.0.0.1',
    port: 0,
    root: '/nonexistent-bench-root',
    // WSP_BENCH_REUSE_READS=0: new memory for every read, as before app/server/reused-reads.ts.
    reuseReadBuffers: process.env.WSP_BENCH_REUSE_READS !== '0',
  });
  process.stdout.write(`PORT ${s.port}\n`);
  process.once('SIGTERM', () => void s.stop().then(() => process.exit(0)));
} else if (kind === 'classroom') {
  // bench/classroom.ts: the classroom as `npm run classroom` runs it (its defaults), serving dist/.
  const s = await startStandalone({
    host: '127.0.0.1',
    port: 0,
    maxConnections: 2_000,
    classroom: createClassroomHost({ secret: 'bench-secret' }),
    reuseReadBuffers: process.env.WSP_BENCH_REUSE_READS !== '0',
  });
  process.stdout.write(`PORT ${s.port}\n`);
  process.once('SIGTERM', () => void s.stop().then(() => process.exit(0)));
} else if (kind === 'ws' || kind === 'ws-deflate') {
  // The same behaviour as our /echo: each message back with its opcode; 1 MiB limit.
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    maxPayload: 1024 * 1024,
    perMessageDeflate: kind === 'ws-deflate' ? { threshold: 0 } : false,
  });
  wss.on('connection', (ws) => {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
  wss.on('listening', () => {
    const address = wss.address();
    process.stdout.write(
      `PORT ${typeof address === 'object' && address !== null ? address.port : String(address)}\n`,
    );
  });
  process.once('SIGTERM', () => wss.close(() => process.exit(0)));
} else {
  process.stderr.write('usage: server-child.ts ours|ws|ws-deflate|classroom\n');
  process.exit(2);
}
