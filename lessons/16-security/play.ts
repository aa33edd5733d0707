/**
 * The security lesson as a learner walks it: a token in a URL on /echo, a flood of /echo?rate=3, then the
 * learner's server hardened in the code area, which the lesson's probe attacks (in the page
 * only: in Vitest `run` and `probe` do nothing, see browserOnly; checks.test.ts runs the probe
 * itself against reference servers).
 */
import { definePlay, type PlayLab } from '../../app/lessons/play.ts';

const OPEN = 1;
const CLOSED = 3;

/** Step 1: a token in the URL of /echo. */
async function tokenInUrl(lab: PlayLab): Promise<void> {
  const ws = lab.open('/echo?token=let-me-in');
  await lab.until(() => ws.readyState === OPEN);
  ws.close(1000);
  await lab.until(() => ws.readyState === CLOSED);
}

/** Step 4: ten messages at once to /echo?rate=3. */
async function flood(lab: PlayLab): Promise<void> {
  const ws = lab.open('/echo?rate=3');
  await lab.until(() => ws.readyState === OPEN);
  for (let i = 1; i <= 10; i++) ws.send(`message ${i}`);
  await lab.until(() => ws.readyState === CLOSED);
}

export default definePlay({
  async start(lab) {
    await lab.run('server.js', 'start');
    await lab.probe();
  },
  async solution(lab) {
    await tokenInUrl(lab);
    await flood(lab);
    await lab.run('server.js', 'solution');
    await lab.probe();
  },
  browserOnly: ['friend-served', 'origin-refused', 'token-required', 'size-limit', 'rate-limit'],
});
