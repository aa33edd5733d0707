// Sends 64 messages of 8 KiB to an /echo that reads only 128 KiB a second.
// deflate=0: no compression, so each 8 KiB message is 8 KiB on the wire (lesson 12 shows compression).
const ws = new WebSocket('/echo?read=131072&deflate=0');
const COUNT = 64;
const message = (i) => `#${i}:`.padEnd(8 * 1024, '.'); // '#0:....', '#1:....', ...

ws.onopen = () => {
  // A tight loop: send() never waits, so everything piles up in the send buffer.
  for (let i = 0; i < COUNT; i++) {
    ws.send(message(i));
  }
  console.log(`sent ${COUNT} messages; bufferedAmount = ${ws.bufferedAmount}`);
};

let echoed = 0;
ws.onmessage = () => {
  if (++echoed === COUNT) {
    console.info('every message came back');
    ws.close(1000);
  }
};
