// A chat client for the chat server snippet (run that first).
const name = `guest-${Math.floor(Math.random() * 1000)}`;
const ws = new WebSocket('ws://localhost:8080');

ws.onopen = () => {
  console.info(`joined as ${name}`);
  ws.send(JSON.stringify({ from: name, text: 'hello, everyone' }));
};

ws.onmessage = (event) => {
  const { from, text } = JSON.parse(event.data);
  console.log(`${from === name ? 'me' : from}: ${text}`);
};

ws.onclose = (event) => console.warn('left the chat, code', event.code);
ws.onerror = () => console.error('could not reach the chat server: is it running?');
