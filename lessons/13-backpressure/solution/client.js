// Sends 64 messages of 8 KiB to an /echo that reads only 128 KiB a second.
// deflate=0: no compression, so each 8 KiB message is 8 KiB on the wire (lesson 12 shows compression).
const ws = new WebSocket('/echo?read=131072&deflate=0');
const COUNT = 64;
const message = (i) => `#${i}:`.padEnd(8 * 1024, '.'); // '#0:....', '#1:....', ...
const HIGH_WATER = 32 * 1024; // never queue more than this (and one message)

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

ws.onopen = async () => {
  for (let i = 0; i < COUNT; i++) {
    // Wait for the buffer to drain before adding to it.
    while (ws.bufferedAmount > HIGH_WATER) await sleep(10);
    ws.send(message(i));
  }
  console.log(`sent ${COUNT} messages, never more than ${HIGH_WATER} bytes waiting first`);
};

let echoed = 0;
ws.onmessage = () => {
  if (++echoed === COUNT) {
    console.info('every message came back');
    ws.close(1000);
  }
};
