// One big message to /echo. Your browser decides how many frames it takes:
// Chromium cuts a message of this size into frames of about 128 KiB.
const SIZE = 300 * 1024;
const ws = new WebSocket('/echo');

ws.onopen = () => {
  ws.send('x'.repeat(SIZE));
  console.log('sent one message of', SIZE, 'bytes');
};

let events = 0;
ws.onmessage = (event) => {
  events += 1;
  console.log(`message event ${events}: ${event.data.length} bytes`);
  ws.close(1000, 'done');
};
