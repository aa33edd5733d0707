// A server that pings every client and terminates the ones that miss a pong
// (the pattern from the ws README). Run it, then connect to ws://localhost:8080.
import { WebSocketServer } from 'ws';

const INTERVAL_MS = 1000;
const wss = new WebSocketServer({ port: 8080 });

function heartbeat() {
  this.isAlive = true;
}

wss.on('connection', (ws, req) => {
  console.info('client connected from', req.socket.remoteAddress);
  ws.isAlive = true;
  ws.on('error', console.error);
  ws.on('pong', heartbeat);
  ws.on('close', (code) => console.log('client gone, code', code));
});

const interval = setInterval(() => {
  for (const ws of wss.clients) {
    if (ws.isAlive === false) {
      console.warn('no pong since the last ping: terminating');
      ws.terminate();
      continue;
    }
    ws.isAlive = false;
    ws.ping();
  }
}, INTERVAL_MS);

wss.on('close', () => clearInterval(interval));
wss.on('listening', () => console.info('heartbeat server on ws://localhost:8080'));
