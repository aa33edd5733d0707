/**
 * The chat-room lesson as a learner walks it: two lab tabs on the bundled /chat, then the learner's own
 * server and client in the code area, which the lesson's probe joins (in the page only: in
 * Vitest `run` and `probe` do nothing, see browserOnly; checks.test.ts runs the probe itself
 * against reference rooms).
 */
import { definePlay, type PlayLab, type PlaySocket } from '../../app/lessons/play.ts';

const OPEN = 1;
const CLOSED = 3;

function listen(ws: PlaySocket): string[] {
  const got: string[] = [];
  ws.addEventListener('message', (e) => got.push(String((e as MessageEvent).data)));
  return got;
}

/** Step 1: two tabs on /chat, one message from the first, both see it come. */
async function twoTabs(lab: PlayLab): Promise<void> {
  const first = lab.open('/chat');
  const got1 = listen(first);
  await lab.until(() => first.readyState === OPEN);
  await lab.wait(300);
  const second = lab.open('/chat');
  const got2 = listen(second);
  await lab.until(() => second.readyState === OPEN);
  await lab.wait(300); // the room tells the first tab about the second
  const text = `hello room ${Math.random().toString(36).slice(2, 7)}`;
  first.send(text);
  await lab.until(() => got1.includes(text) && got2.includes(text));
  await lab.wait(300);
  second.close(1000);
  first.close(1000);
  await lab.until(() => first.readyState === CLOSED && second.readyState === CLOSED);
}

export default definePlay({
  async start(lab) {
    await lab.run('server.js', 'start');
    await lab.run('client.js', 'start');
    await lab.probe();
  },
  async solution(lab) {
    await twoTabs(lab);
    await lab.run('server.js', 'solution');
    await lab.run('client.js', 'solution');
    await lab.wait(500);
    await lab.probe();
  },
  browserOnly: ['broadcast', 'presence-join', 'presence-leave', 'client-chat'],
});
