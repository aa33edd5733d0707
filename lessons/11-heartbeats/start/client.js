// Your client. It connects to your server (run server.js first) and logs what it receives.
// To do: every second, send '__ping__'; the server answers '__pong__'. If no '__pong__' has
// come for 3 seconds, the connection is dead: close it (for example with 4000).
const ws = new WebSocket('ws://localhost:8080');

ws.onopen = () => console.info('connected');
ws.onmessage = (event) => console.log('message:', event.data);
ws.onclose = (event) => console.info('closed with', event.code);
