import { definePlay, type PlayLab, type PlaySocket } from '../../app/lessons/play.ts';

/** readyState values (the WebSocket global is not in every runtime a walk runs in). */
const CONNECTING = 0;
const CLOSED = 3;

/** 5 characters, 11 bytes of UTF-8 (RFC 3629's example word). */
export const KOSME = '\u03ba\u1f79\u03c3\u03bc\u03b5';

async function opened(lab: PlayLab, path: string): Promise<{ ws: PlaySocket; count: () => number }> {
  const ws = lab.open(path);
  let messages = 0;
  ws.addEventListener('message', () => messages++);
  await lab.until(() => ws.readyState !== CONNECTING);
  return { ws, count: () => messages };
}

/** Sends `data` and waits for its echo. */
async function roundTrip(
  lab: PlayLab,
  echo: { ws: PlaySocket; count: () => number },
  data: string | Uint8Array<ArrayBuffer>,
) {
  const before = echo.count();
  echo.ws.send(data);
  await lab.until(() => echo.count() > before);
}

/** The misbehaving server's text frame that is not UTF-8: wait until the client has failed it. */
async function badUtf8(lab: PlayLab): Promise<void> {
  const ws = lab.open('/misbehave?do=bad-utf8');
  await lab.until(() => ws.readyState === CLOSED);
}

export default definePlay({
  // Nothing done yet.
  start: async () => {},
  solution: async (lab) => {
    const echo = await opened(lab, '/echo');
    await roundTrip(lab, echo, 'hi');
    // binaryType is 'blob' by default: the echo comes as a Blob.
    await roundTrip(lab, echo, Uint8Array.of(0x68, 0x69));
    echo.ws.binaryType = 'arraybuffer';
    await roundTrip(lab, echo, Uint8Array.of(0x68, 0x69));
    await roundTrip(lab, echo, KOSME);
    echo.ws.close(1000);
    await lab.until(() => echo.ws.readyState === CLOSED);
    await badUtf8(lab);
  },
  wrong: {
    /** Text only: strings, one of them wide, never bytes. */
    textOnly: async (lab) => {
      const echo = await opened(lab, '/echo');
      await roundTrip(lab, echo, 'hi');
      await roundTrip(lab, echo, KOSME);
      echo.ws.close(1000);
    },
    /** Binary twice, binaryType never changed; text all ASCII. */
    blobOnly: async (lab) => {
      const echo = await opened(lab, '/echo');
      await roundTrip(lab, echo, 'hello');
      await roundTrip(lab, echo, Uint8Array.of(1, 2, 3));
      await roundTrip(lab, echo, Uint8Array.of(4, 5, 6));
      echo.ws.close(1000);
    },
    /** Only the ArrayBuffer side. */
    arrayBufferOnly: async (lab) => {
      const echo = await opened(lab, '/echo');
      echo.ws.binaryType = 'arraybuffer';
      await roundTrip(lab, echo, Uint8Array.of(1, 2, 3));
      echo.ws.close(1000);
    },
  },
});
