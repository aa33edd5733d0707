// Sends each client one text message in three frames: TEXT (FIN=0), CONT (FIN=0), CONT (FIN=1).
import { WebSocketServer } from 'ws';

const wss = new WebSocketServer({ port: 8080 });

wss.on('connection', (ws) => {
  ws.send('Hello, ', { fin: false }); // first fragment: TEXT, FIN=0
  ws.send('frag', { fin: false }); // CONTINUATION, FIN=0
  ws.send('ments'); // CONTINUATION, FIN=1: the message is complete
  console.log('sent "Hello, fragments" in 3 frames');
});

wss.on('listening', () => console.info('server on ws://localhost:8080: now run client.js'));
