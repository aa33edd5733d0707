// The security lesson: harden this echo server. Run it, then press Check: the lesson attacks it, each
// attack on its own connection (look for probe=... in the URLs).
import { WebSocketServer } from 'ws';

const wss = new WebSocketServer({
  port: 9000,
  // Called for every handshake, before any 101. Return true to accept.
  verifyClient(info) {
    console.log('handshake from', info.origin, 'for', info.req.url);
    // TODO: refuse pages from other sites (403) and clients without the token.
    return true;
  },
});

wss.on('connection', (ws) => {
  // TODO: close on a message that is too big (1009) and on a flood (1008).
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
});

wss.on('listening', () => console.info('echo server on ws://localhost:9000'));
