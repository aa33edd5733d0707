// Sends one message of each size in `sizes` to /echo, then closes once every echo is back.
// The lesson asks you to add sizes to the list, one edge at a time.
const sizes = [125];

const ws = new WebSocket('/echo');

ws.onopen = () => {
  // 'x' is one byte in UTF-8, so a text of n x's is a payload of n bytes.
  for (const size of sizes) ws.send('x'.repeat(size));
};

let echoes = 0;
ws.onmessage = (event) => {
  console.log(`echo of ${event.data.length} bytes`);
  if (++echoes === sizes.length) ws.close(1000);
};
