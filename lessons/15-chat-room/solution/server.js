// The chat-room lesson: a chat room on ws://localhost:8080. Run it, then press Check: the lesson's three
// clients join your room, talk, and one of them leaves.
import { WebSocketServer, WebSocket } from 'ws';

const wss = new WebSocketServer({ port: 8080 });
let guests = 0;

// One send per client: the protocol has no "send to all" (RFC 6455 §6.1).
function broadcast(data, isBinary = false) {
  for (const client of wss.clients) {
    if (client.readyState === WebSocket.OPEN) client.send(data, { binary: isBinary });
  }
}

wss.on('connection', (ws) => {
  const name = `guest${++guests}`;
  // wss.clients already holds the newcomer: everyone, the newcomer too, hears of the join.
  broadcast(JSON.stringify({ type: 'presence', joined: name, online: wss.clients.size }));

  // data is a Buffer; isBinary says whether it came as text or binary. Keep it as it came.
  ws.on('message', (data, isBinary) => broadcast(data, isBinary));

  // By now wss.clients no longer holds this socket.
  ws.on('close', () => {
    broadcast(JSON.stringify({ type: 'presence', left: name, online: wss.clients.size }));
  });
});

wss.on('listening', () => console.info('chat room on ws://localhost:8080'));
