// The security lesson: harden this echo server. Run it, then press Check: the lesson attacks it, each
// attack on its own connection (look for probe=... in the URLs).
import { WebSocketServer } from 'ws';

// The sites whose pages may connect. On a real server: your own site's origin, from config.
const ALLOWED_ORIGINS = [process.env.PAGE_ORIGIN];
const TOKEN = 'let-me-in'; // in real life: a session token the page got when its user logged in
const MAX_BYTES = 4096; // the largest chat message we accept
const PER_SECOND = 10; // messages a client may send in one second

const wss = new WebSocketServer({
  port: 9000,
  maxPayload: MAX_BYTES, // a bigger message fails the connection with 1009
  verifyClient(info, done) {
    // RFC 6455 §10.2: a browser always sends Origin; refuse other sites before any 101.
    if (!ALLOWED_ORIGINS.includes(info.origin)) return done(false, 403, 'origin not allowed');
    const token = new URL(info.req.url, 'ws://localhost').searchParams.get('token');
    if (token !== TOKEN) return done(false, 401, 'a token is required');
    done(true);
  },
});

wss.on('connection', (ws) => {
  let windowStart = Date.now();
  let count = 0;
  ws.on('message', (data, isBinary) => {
    const now = Date.now();
    if (now - windowStart >= 1000) {
      windowStart = now;
      count = 0;
    }
    if (++count > PER_SECOND) return ws.close(1008, 'too many messages');
    // Validate what you accept: this server takes text only.
    if (isBinary) return ws.close(1003, 'text only');
    ws.send(data.toString());
  });
});

wss.on('listening', () => console.info('hardened echo server on ws://localhost:9000'));
