// The chat-room lesson: a client for your chat room (run server.js first).
const ws = new WebSocket('ws://localhost:8080');

ws.onopen = () => {
  console.info('in the room');
  ws.send('hi everyone, from my own client');
};

ws.onmessage = (event) => {
  // Presence notices are JSON; chat messages are whatever people typed.
  let notice;
  try {
    notice = JSON.parse(event.data);
  } catch {
    notice = undefined;
  }
  if (notice?.type === 'presence') {
    const who = notice.joined ? `${notice.joined} joined` : `${notice.left} left`;
    console.info(`${who} (${notice.online} online)`);
  } else {
    // Print it as text, never as HTML (the security lesson says why).
    console.log('chat:', event.data);
  }
};

ws.onclose = (event) => console.info('left the room:', event.code);
