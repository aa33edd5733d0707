// Your heartbeat server. It already answers the clients' '__ping__' messages with '__pong__'.
// To do: every second, ping every client (ws.ping()); a client whose PONG has not come back by
// the next round is dead: drop it with ws.terminate().
import { WebSocketServer } from 'ws';

const wss = new WebSocketServer({ port: 8080 });

wss.on('connection', (ws) => {
  console.info('a client connected');
  ws.on('message', (data) => {
    if (data.toString() === '__ping__') ws.send('__pong__');
  });
  ws.on('close', (code) => console.log('a client left with', code));
});

wss.on('listening', () => console.info('server on ws://localhost:8080: now run client.js'));
