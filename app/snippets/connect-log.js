// Open a socket to the playground's echo server and log every event it fires.
// '/echo' is a relative URL: the browser resolves it against the page (ws:// or wss:// included).
const ws = new WebSocket('/echo');
console.log('created, readyState =', ws.readyState, '(CONNECTING)');

ws.addEventListener('open', () => {
  console.info('open: readyState =', ws.readyState, 'protocol =', JSON.stringify(ws.protocol));
  ws.send('hello, echo');
});

ws.addEventListener('message', (event) => {
  console.log('message:', event.data);
  ws.close(1000, 'done');
  console.log('close() called, readyState =', ws.readyState, '(CLOSING)');
});

ws.addEventListener('error', () => console.error('error: the connection failed'));

ws.addEventListener('close', (event) => {
  console.info(`close: code ${event.code}, reason "${event.reason}", wasClean ${event.wasClean}`);
});
