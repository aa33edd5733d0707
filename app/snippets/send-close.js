// Send a few messages, then close with a code and a reason the server echoes back.
const ws = new WebSocket('/echo');

ws.onopen = () => {
  for (const word of ['one', 'two', 'three']) ws.send(word);
  // 1000 or 3000-4999; the reason is at most 123 bytes of UTF-8.
  ws.close(4000, 'bye for now');
};

// Messages that arrive after close() was called are not delivered to the page.
ws.onmessage = (event) => console.log('echo:', event.data);

ws.onclose = (event) => console.info('closed with', event.code, JSON.stringify(event.reason));
