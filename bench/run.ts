/**
 * `npm run bench`: every benchmark, each printing its figures and the ratio against the `ws`
 * package measured in the same process. Benchmarks are not tests: nothing here passes or fails.
 * Run one with `npm run bench -- codec`, `-- server` or `-- session`; `-- classroom` runs only
 * when named.
 */
import { runClassroomBench } from './classroom.ts';
import { runCodecBench } from './codec.ts';
import { runMaskBench } from './mask.ts';
import { formatDeflateBench, formatServerBench, runDeflateBench, runServerBench } from './server.ts';
import { formatSessionBench, runSessionBench } from './server-session.ts';

/** `explicit`: run only when named (the classroom bench takes 40 s and 300 sockets). */
export const benches: { name: string; run: () => Promise<void>; explicit?: boolean }[] = [
  { name: 'codec', run: runCodecBench },
  // Masking kernels: TypeScript, the page's WebAssembly SIMD, bufferutil; in Node and Chromium.
  { name: 'mask', run: () => runMaskBench(process.argv.slice(2)) },
  {
    name: 'server',
    run: async () => {
      console.log(formatServerBench(await runServerBench()));
      console.log(formatDeflateBench(await runDeflateBench()));
    },
  },
  // Where the server's CPU per message goes, without sockets (engine, session, ws's codec).
  { name: 'session', run: async () => console.log(formatSessionBench(runSessionBench())) },
  // A class of 100 on one machine: chat fan-out under a flood, memory, cold-load bytes.
  { name: 'classroom', run: () => runClassroomBench(process.argv.slice(2)), explicit: true },
];

const only = process.argv.slice(2);
for (const bench of benches) {
  if (only.length ? !only.includes(bench.name) : bench.explicit) continue;
  console.log(`\n== ${bench.name} ==`);
  await bench.run();
}
