// The browser answers the server's pings on its own, and its API cannot send pings.
// So a client checks the line itself: an application-level ping it expects back in time.
const ws = new WebSocket('/echo');
const EVERY_MS = 1000;
const TIMEOUT_MS = 3000;
let timer;
let lastSeen = Date.now();

ws.onopen = () => {
  timer = setInterval(() => {
    if (Date.now() - lastSeen > TIMEOUT_MS) {
      console.warn('no answer in time: the connection is dead, closing');
      clearInterval(timer);
      ws.close(4001, 'heartbeat timeout');
      return;
    }
    ws.send(JSON.stringify({ type: 'ping', at: Date.now() }));
  }, EVERY_MS);
};

ws.onmessage = (event) => {
  const msg = JSON.parse(event.data);
  if (msg.type === 'ping') {
    lastSeen = Date.now();
    console.log(`heartbeat ok, round trip ${lastSeen - msg.at} ms`);
  }
};

ws.onclose = (event) => {
  clearInterval(timer);
  console.info('closed', event.code);
};
