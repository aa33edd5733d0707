/**
 * Lesson 6 as a learner walks it: messages of the sizes on both sides of each length-form edge
 * (5.2) sent to /echo, as start/client.js and solution/client.js do.
 */
import { definePlay, type PlayLab } from '../../app/lessons/play.ts';

/** Sends one text of each size ('x' is one byte of UTF-8) and waits for every echo. */
async function sendSizes(lab: PlayLab, sizes: number[]): Promise<void> {
  const ws = lab.open('/echo');
  let echoes = 0;
  ws.onmessage = () => void echoes++;
  await lab.until(() => ws.readyState === 1);
  for (const size of sizes) ws.send('x'.repeat(size));
  await lab.until(() => echoes === sizes.length, 30_000);
  ws.close(1000);
  await lab.until(() => ws.readyState === 3);
}

export default definePlay({
  /** start/client.js as given: 125 bytes only. */
  start: (lab) => sendSizes(lab, [125]),
  solution: (lab) => sendSizes(lab, [125, 126, 65535, 65536]),
  wrong: {
    /** One byte off at every edge: each lands in the form next to the one asked for, or the same. */
    'off-by-one': (lab) => sendSizes(lab, [124, 127, 65534, 65537]),
  },
});
