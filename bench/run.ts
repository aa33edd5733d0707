/**
 * `npm run bench`: every benchmark, each printing its figures and the ratio against the `ws`
 * package measured in the same process. Benchmarks are not tests: nothing here passes or fails.
 */
export const benches: { name: string; run: () => Promise<void> }[] = [];

if (benches.length === 0) console.log('No benchmarks yet.');
for (const bench of benches) {
  console.log(`\n== ${bench.name} ==`);
  await bench.run();
}
