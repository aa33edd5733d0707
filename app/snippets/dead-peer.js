// A Node-style client (the ws package) that stops answering pings: what a frozen or
// vanished peer looks like to a server. Run the heartbeat server first.
import WebSocket from 'ws';

const ws = new WebSocket('ws://localhost:8080', { autoPong: false });

ws.on('open', () => console.info('connected; pings will go unanswered'));
ws.on('ping', (data) => console.log('ping received (not answering)', data));
ws.on('close', (code) =>
  console.warn('connection closed with code', code, '(1006: dropped without a Close frame)'),
);
ws.on('error', (err) => console.error(err.message));
