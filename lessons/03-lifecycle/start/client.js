// Lesson 3: the API and the lifecycle. Run this, then grow it one step at a time.
const STATES = ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'];
const show = (socket) => `readyState ${socket.readyState} (${STATES[socket.readyState]})`;

const ws = new WebSocket('/echo');
console.log('created,', show(ws));
// Step 3: call ws.send('too early') here, inside try/catch, and print err.name.

ws.onopen = () => {
  console.log('open,', show(ws));
  // Step 2: send two messages here, 'a' then 'b'.
};

ws.onmessage = (event) => {
  console.log('message', JSON.stringify(event.data) + ',', show(ws));
  // Step 2: when the message is 'b', close the socket.
  // Step 5: before that, try ws.close(1001) inside try/catch and print err.name.
  // Step 4: after close(), call ws.send('too late') and print ws.bufferedAmount.
};

ws.onerror = () => console.log('error,', show(ws));
ws.onclose = (event) => console.log(`close ${event.code} wasClean=${event.wasClean},`, show(ws));

// Step 6: open a second socket to /echo and close it at once, while it is CONNECTING.
