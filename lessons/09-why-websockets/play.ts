import { definePlay, type PlayLab } from '../../app/lessons/play.ts';
import { seqOf } from '../../app/lessons/feed-stats.ts';
import { ENOUGH } from './checks.ts';

/** readyState values (the WebSocket global is not in every runtime a walk runs in). */
const OPEN = 1;
const CLOSED = 3;

/** Step 1, as the widget's Polling column does it: GET /poll?since=N once a second. */
async function poll(lab: PlayLab, requests = ENOUGH + 2): Promise<void> {
  let since = 0;
  // Half a second off the feed's beat, as a client that starts at any moment would be.
  await lab.wait(500);
  for (let i = 0; i < requests; i++) {
    since = seqOf((await lab.fetch(`/poll?since=${since}`)).body) ?? since;
    await lab.wait(1000);
  }
}

/** Step 2, as the Long polling column does it: ask again as soon as each answer arrives. */
async function longPoll(lab: PlayLab, answers = ENOUGH + 1, stale = false): Promise<void> {
  let since = 0;
  for (let i = 0; i < answers; i++) {
    const record = await lab.fetch(`/long-poll?since=${since}`);
    if (!stale) since = seqOf(record.body) ?? since;
    else await lab.wait(1000); // a client that always asks since=0 is answered at once: it must pace itself
  }
}

/** Step 3, as the WebSocket column does it: one connection to /ticker, open for `updates` quotes. */
async function ticker(lab: PlayLab, updates = ENOUGH + 1): Promise<void> {
  const ws = lab.open('/ticker');
  let messages = 0;
  ws.addEventListener('message', () => messages++);
  await lab.until(() => messages >= updates || ws.readyState === CLOSED, 20_000);
  if (ws.readyState === OPEN) ws.close(1000);
  await lab.until(() => ws.readyState === CLOSED);
}

export default definePlay({
  // Nothing run yet.
  start: async () => {},
  // Steps 1 to 3 one after the other; step 4 reads all three.
  solution: async (lab) => {
    await poll(lab);
    await longPoll(lab);
    await ticker(lab);
  },
  wrong: {
    /** Only polling: the other columns never ran. */
    pollOnly: (lab) => poll(lab),
    /** A "long poll" that always asks since=0: answered at once with old news, never held. */
    staleSince: async (lab) => {
      await poll(lab);
      await longPoll(lab, 10, true);
      await ticker(lab);
    },
    /** A "WebSocket" client that opens a connection for each update, then closes it. */
    reconnecting: async (lab) => {
      await poll(lab);
      await longPoll(lab);
      for (let i = 0; i < ENOUGH + 1; i++) await ticker(lab, 1);
    },
  },
});
