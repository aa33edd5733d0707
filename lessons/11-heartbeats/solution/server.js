// A heartbeat server: it answers the clients' '__ping__' messages with '__pong__', and pings
// every client each second; a client whose PONG has not come back by the next round is dropped.
import { WebSocketServer } from 'ws';

const INTERVAL_MS = 1000;
const wss = new WebSocketServer({ port: 8080 });

wss.on('connection', (ws) => {
  console.info('a client connected');
  ws.isAlive = true;
  // The PONG answers our PING (RFC 6455 5.5.3): the client is still there.
  ws.on('pong', () => {
    ws.isAlive = true;
  });
  ws.on('message', (data) => {
    if (data.toString() === '__ping__') ws.send('__pong__');
  });
  ws.on('close', (code) => console.log('a client left with', code));
});

const timer = setInterval(() => {
  for (const ws of wss.clients) {
    if (!ws.isAlive) {
      // No PONG since the last round: drop it without a closing handshake (it sees 1006).
      console.warn('no PONG since the last PING: terminating');
      ws.terminate();
      continue;
    }
    ws.isAlive = false;
    ws.ping();
  }
}, INTERVAL_MS);

wss.on('close', () => clearInterval(timer));
wss.on('listening', () => console.info('server on ws://localhost:8080: now run client.js'));
