/**
 * Lesson 2's work is code, not clicks: the learner's server (start/server.js with its wrong
 * acceptFor, solution/server.js when done) runs in the code area, and the lesson's probe
 * (checks.ts) connects to it with fresh keys. Both need the page's sandbox, so in Vitest the
 * walks record nothing and every task but `answers` is left to the browser tests (browserOnly).
 */
import { definePlay } from '../../app/lessons/play.ts';

export default definePlay({
  async start(lab) {
    await lab.run('server.js', 'start');
    await lab.probe();
  },
  async solution(lab) {
    await lab.run('server.js', 'solution');
    await lab.probe();
  },
  browserOnly: ['answers', 'concat', 'sha1', 'base64', 'every-key'],
});
