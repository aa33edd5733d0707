// Lesson 3: the API and the lifecycle, every step done.
const STATES = ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'];
const show = (socket) => `readyState ${socket.readyState} (${STATES[socket.readyState]})`;

const ws = new WebSocket('/echo');
console.log('created,', show(ws));
try {
  ws.send('too early'); // the handshake has not finished: nothing can be sent yet
} catch (err) {
  console.log('send() while CONNECTING threw', err.name);
}

ws.onopen = () => {
  console.log('open,', show(ws));
  ws.send('a');
  ws.send('b');
};

ws.onmessage = (event) => {
  console.log('message', JSON.stringify(event.data) + ',', show(ws));
  if (event.data !== 'b') return;
  try {
    ws.close(1001); // a page may close with 1000 or 3000-4999 only
  } catch (err) {
    console.log('close(1001) threw', err.name);
  }
  ws.close(4000, 'done');
  ws.send('too late'); // no exception: the bytes are only counted
  console.log('after close(): bufferedAmount', ws.bufferedAmount, show(ws));
};

ws.onerror = () => console.log('error,', show(ws));
ws.onclose = (event) => console.log(`close ${event.code} wasClean=${event.wasClean},`, show(ws));

const early = new WebSocket('/echo');
early.onerror = () => console.log('second socket: error,', show(early));
early.onclose = (event) => console.log(`second socket: close ${event.code} wasClean=${event.wasClean}`);
early.close(); // still CONNECTING: the connection fails
