// A client that has stopped answering: it connects to your server and then leaves every PING
// unanswered, like a laptop that went to sleep. A browser cannot do this (it always answers);
// the ws package can: autoPong: false.
import WebSocket from 'ws';

const ws = new WebSocket('ws://localhost:8080', { autoPong: false });

ws.on('open', () => console.info('connected: from now on, no PONG'));
ws.on('ping', () => console.log('PING received, not answering'));
ws.on('close', (code) =>
  console.warn('connection ended with', code, code === 1006 ? '(dropped, no CLOSE frame)' : ''),
);
ws.on('error', (err) => console.error(err.message));
