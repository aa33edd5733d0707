/**
 * The backpressure lesson as a learner walks it: the tight loop first (the start's client.js, run as it is),
 * then the paced sender (the solution's). Both run in the code area, in the page only.
 */
import { definePlay } from '../../app/lessons/play.ts';

export default definePlay({
  // Nothing done yet.
  start: async () => {},
  solution: async (lab) => {
    // 512 KiB at 128 KiB/s: about 4 s each; a busy machine (the page relays the loopback's
    // drain to the sandbox) can take several times that.
    await lab.run('client.js', 'start');
    await lab.settle(['flood'], 40_000);
    await lab.run('client.js', 'solution');
    await lab.settle(['paced', 'in-order'], 40_000);
  },
  browserOnly: ['flood', 'paced', 'in-order'],
});
