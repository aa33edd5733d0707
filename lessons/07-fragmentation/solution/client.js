// Connects to your server (run server.js first) and logs every message event.
const ws = new WebSocket('ws://localhost:8080');

let events = 0;
ws.onmessage = (event) => {
  events += 1;
  console.log(`message event ${events}:`, JSON.stringify(event.data));
};

ws.onclose = (event) => console.info('closed with', event.code);
