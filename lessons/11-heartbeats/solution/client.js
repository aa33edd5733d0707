// An application-level heartbeat: '__ping__' every second, and a connection with no '__pong__'
// for 3 seconds is treated as dead. The browser's own PONGs are invisible to script; these are not.
const EVERY_MS = 1000;
const TIMEOUT_MS = 3000;
const ws = new WebSocket('ws://localhost:8080');
let lastPong = Date.now();
let timer;

ws.onopen = () => {
  console.info('connected');
  timer = setInterval(() => {
    if (Date.now() - lastPong > TIMEOUT_MS) {
      console.warn('no __pong__ for 3 seconds: closing');
      clearInterval(timer);
      ws.close(4000, 'heartbeat timeout');
      return;
    }
    ws.send('__ping__');
  }, EVERY_MS);
};

ws.onmessage = (event) => {
  if (event.data === '__pong__') {
    lastPong = Date.now();
    console.log('__pong__');
  }
};

ws.onclose = (event) => {
  clearInterval(timer);
  console.info('closed with', event.code);
};
