/**
 * Lesson 3 played: the start runs start/client.js as it is (it opens /echo and only logs); the
 * solution does what solution/client.js does, with lab.log standing in for console.log.
 */
import { definePlay, type PlayLab, type PlaySocket } from '../../app/lessons/play.ts';

const STATES = ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'];
const show = (ws: PlaySocket): string => `readyState ${ws.readyState} (${STATES[ws.readyState]})`;

function errorName(run: () => void): string | undefined {
  try {
    run();
    return undefined;
  } catch (err) {
    return (err as Error).name;
  }
}

/** The socket start/client.js opens: it logs every event and does nothing else. */
function logged(lab: PlayLab): PlaySocket {
  const ws = lab.open('/echo');
  lab.log(`created, ${show(ws)}`);
  ws.onopen = () => lab.log(`open, ${show(ws)}`);
  ws.onmessage = (e) => lab.log(`message ${JSON.stringify(e.data)}, ${show(ws)}`);
  ws.onerror = () => lab.log(`error, ${show(ws)}`);
  ws.onclose = (e) => lab.log(`close ${e.code} wasClean=${e.wasClean}, ${show(ws)}`);
  return ws;
}

interface Options {
  tooEarly?: boolean;
  messages?: string[];
  try1001?: boolean;
  sendAfterClose?: boolean;
  /** Read bufferedAmount before the send() that follows close(). */
  readTooSoon?: boolean;
  failSecond?: boolean;
}

/** solution/client.js, with parts left out by the wrong attempts. */
async function walk(lab: PlayLab, o: Options): Promise<void> {
  const ws = logged(lab);
  if (o.tooEarly) {
    const name = errorName(() => ws.send('too early'));
    if (name) lab.log(`send() while CONNECTING threw ${name}`);
  }
  const messages = o.messages ?? ['a', 'b'];
  const last = messages.at(-1);
  ws.onopen = () => {
    lab.log(`open, ${show(ws)}`);
    for (const m of messages) ws.send(m);
  };
  ws.onmessage = (e) => {
    lab.log(`message ${JSON.stringify(e.data)}, ${show(ws)}`);
    if (e.data !== last) return;
    if (o.try1001) {
      const name = errorName(() => ws.close(1001));
      if (name) lab.log(`close(1001) threw ${name}`);
    }
    ws.close(4000, 'done');
    if (o.readTooSoon) lab.log(`after close(): bufferedAmount ${ws.bufferedAmount}, ${show(ws)}`);
    if (o.sendAfterClose) ws.send('too late');
    if (o.sendAfterClose && !o.readTooSoon)
      lab.log(`after close(): bufferedAmount ${ws.bufferedAmount}, ${show(ws)}`);
  };
  await lab.until(() => ws.readyState === 3);
  if (o.failSecond) {
    const early = lab.open('/echo');
    early.onerror = () => lab.log(`second socket: error, ${show(early)}`);
    early.onclose = (e) => lab.log(`second socket: close ${e.code} wasClean=${e.wasClean}`);
    early.close();
    await lab.until(() => early.readyState === 3);
  }
}

const all: Options = { tooEarly: true, try1001: true, sendAfterClose: true, failSecond: true };

export default definePlay({
  async start(lab) {
    const ws = logged(lab);
    await lab.until(() => ws.readyState === 1);
    await lab.wait(100);
  },
  solution: (lab) => walk(lab, all),
  wrong: {
    /** Step 1 left half done: a message, but the socket is never closed. */
    async neverClosed(lab) {
      const ws = logged(lab);
      ws.onopen = () => ws.send('hello');
      await lab.until(() => ws.readyState === 1);
      await lab.wait(200);
    },
    /** One message, not two. */
    oneMessage: (lab) => walk(lab, { ...all, messages: ['a'] }),
    /** Waits for open before the first send(): nothing ever throws. */
    neverTooEarly: (lab) => walk(lab, { ...all, tooEarly: false }),
    /** Reads bufferedAmount after close() but before the send() that follows it. */
    readTooSoon: (lab) => walk(lab, { ...all, readTooSoon: true }),
    /** Closes with 4000 at once, never trying 1001. */
    never1001: (lab) => walk(lab, { ...all, try1001: false }),
    /** Only the first socket: nothing fails. */
    nothingFails: (lab) => walk(lab, { ...all, failSecond: false }),
    /** A connection cut by the server (/close?drop=1): close 1006 without an error event. */
    async dropped(lab) {
      await walk(lab, { ...all, failSecond: false });
      const ws = lab.open('/close?drop=1');
      await lab.until(() => ws.readyState === 3);
    },
  },
});
