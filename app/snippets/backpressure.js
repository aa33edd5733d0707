// Send a lot without flooding memory: wait while bufferedAmount is above a high-water mark.
// The lesson "Backpressure and bufferedAmount" (#lesson=backpressure) builds this step by step.
const ws = new WebSocket('/echo');
const chunk = new Uint8Array(64 * 1024); // 64 KiB
const total = 200; // chunks: 12.5 MiB in all
const HIGH_WATER = 1024 * 1024; // 1 MiB queued at most

ws.onopen = async () => {
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    while (ws.bufferedAmount > HIGH_WATER) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    ws.send(chunk);
    if (i % 40 === 0) console.log(`chunk ${i}: bufferedAmount = ${ws.bufferedAmount}`);
  }
  console.info(`queued ${total} chunks in ${Math.round(performance.now() - started)} ms`);
};

let echoed = 0;
ws.onmessage = () => {
  if (++echoed === total) {
    console.info('every chunk came back');
    ws.close();
  }
};
