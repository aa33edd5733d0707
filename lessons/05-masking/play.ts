/**
 * Lesson 5 as a learner walks it: the same message twice to /echo, its bytes unmasked by hand
 * (the text itself, since unmasking gives back what the page sent), then the server that masks.
 */
import { definePlay, type PlayLab } from '../../app/lessons/play.ts';

/** 'hello' in hex: what unmasking a frame of 'hello' gives back, whatever its key. */
const HELLO_HEX = '68 65 6c 6c 6f';

/** Opens /echo, sends each text, and waits for every echo. */
async function sendToEcho(lab: PlayLab, texts: string[]): Promise<void> {
  const ws = lab.open('/echo');
  let echoes = 0;
  ws.onmessage = () => void echoes++;
  await lab.until(() => ws.readyState === 1);
  for (const text of texts) ws.send(text);
  await lab.until(() => echoes === texts.length);
  ws.close(1000);
  await lab.until(() => ws.readyState === 3);
}

/** The weird experiment: a server that masks its frame; the walk waits for the end. */
async function maskedServer(lab: PlayLab): Promise<void> {
  const ws = lab.open('/misbehave?do=masked-frame');
  await lab.until(() => ws.readyState === 3);
}

export default definePlay({
  start: async () => {},
  solution: async (lab) => {
    await sendToEcho(lab, ['hello', 'hello']);
    lab.input('unmasked', HELLO_HEX);
    await maskedServer(lab);
  },
  wrong: {
    /** One message only: nothing to compare. */
    once: async (lab) => {
      await sendToEcho(lab, ['hello']);
      lab.input('unmasked', HELLO_HEX);
    },
    /** Two different messages: different bytes, but for the wrong reason. */
    different: async (lab) => {
      await sendToEcho(lab, ['hello', 'world']);
    },
    /** The last byte unmasked wrong (0x6e, 'n', for 0x6f, 'o'). */
    'wrong-byte': async (lab) => {
      await sendToEcho(lab, ['hello', 'hello']);
      lab.input('unmasked', '68 65 6c 6c 6e');
    },
    /** Someone else's answer ('hello') typed for the learner's own frames of 'howdy'. */
    copied: async (lab) => {
      await sendToEcho(lab, ['howdy', 'howdy']);
      lab.input('unmasked', HELLO_HEX);
    },
  },
});
