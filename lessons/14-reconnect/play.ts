/**
 * The reconnect lesson as a learner walks it: the dropped connection in the lab, then the reconnecting
 * client in the code area, left to run until its schedule has grown to the cap.
 */
import { definePlay } from '../../app/lessons/play.ts';
import { FLAKY } from './attempts.ts';

const CLOSED = 3;

export default definePlay({
  // Nothing done yet.
  start: async () => {},
  solution: async (lab) => {
    const ws = lab.open(FLAKY);
    await lab.until(() => ws.readyState === CLOSED);
    // In the page only (in Vitest `run` does nothing, see browserOnly): 6 attempts take about
    // 4 s of waits and 6 × 300 ms open; a busy browser may hold connections back.
    await lab.run('client.js', 'solution');
    await lab.settle(['backoff-grows', 'backoff-capped', 'backoff-jitter', 'no-retry-1000'], 40_000);
  },
  browserOnly: ['backoff-grows', 'backoff-capped', 'backoff-jitter', 'no-retry-1000'],
});
