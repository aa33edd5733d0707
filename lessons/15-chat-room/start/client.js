// The chat-room lesson: a client for your chat room (run server.js first).
const ws = new WebSocket('ws://localhost:8080');

ws.onopen = () => {
  console.info('in the room');
  // TODO: say something to the room.
};

ws.onmessage = (event) => {
  console.log('the room says:', event.data);
};

ws.onclose = (event) => console.info('left the room:', event.code);
