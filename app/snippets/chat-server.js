// A chat server: every message goes to every connected client.
// Run it, then run the chat client (twice, with Run another) to talk to yourself.
import { WebSocketServer, WebSocket } from 'ws';

const wss = new WebSocketServer({ port: 8080 });

wss.on('connection', (ws) => {
  console.info(`someone joined (${wss.clients.size} online)`);

  ws.on('message', (data, isBinary) => {
    console.log('relaying:', data.toString());
    for (const client of wss.clients) {
      if (client.readyState === WebSocket.OPEN) client.send(data, { binary: isBinary });
    }
  });

  ws.on('close', () => console.info(`someone left (${wss.clients.size} online)`));
});

wss.on('listening', () => console.info('chat server on ws://localhost:8080'));
