/**
 * `npm run bench`: every benchmark, each printing its figures and the ratio against the `ws`
 * package measured in the same process. Benchmarks are not tests: nothing here passes or fails.
 * Run one with `npm run bench -- codec` or `npm run bench -- server`.
 */
import { runCodecBench } from './codec.ts';
import { formatServerBench, runServerBench } from './server.ts';

export const benches: { name: string; run: () => Promise<void> }[] = [
  { name: 'codec', run: runCodecBench },
  { name: 'server', run: async () => console.log(formatServerBench(await runServerBench())) },
];

const only = process.argv.slice(2);
for (const bench of benches) {
  if (only.length && !only.includes(bench.name)) continue;
  console.log(`\n== ${bench.name} ==`);
  await bench.run();
}
