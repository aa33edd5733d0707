// Sends each client one text message. Today it goes as one frame:
// make it cross the wire in 2 or more frames (ws.send(part, { fin: false })).
import { WebSocketServer } from 'ws';

const wss = new WebSocketServer({ port: 8080 });

wss.on('connection', (ws) => {
  ws.send('Hello, fragments');
  console.log('sent "Hello, fragments"');
});

wss.on('listening', () => console.info('server on ws://localhost:8080: now run client.js'));
