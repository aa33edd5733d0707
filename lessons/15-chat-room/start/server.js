// The chat-room lesson: a chat room on ws://localhost:8080. Run it, then press Check: the lesson's three
// clients join your room, talk, and one of them leaves.
import { WebSocketServer } from 'ws';

const wss = new WebSocketServer({ port: 8080 });

wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => {
    // For now the message goes back to its sender only.
    // TODO: send it to every client in the room (wss.clients), the sender included.
    ws.send(data, { binary: isBinary });
  });
  // TODO: tell everyone in the room when someone joins, and when someone leaves.
});

wss.on('listening', () => console.info('chat room on ws://localhost:8080'));
