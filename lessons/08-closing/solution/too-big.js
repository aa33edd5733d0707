// Sends /echo one message a byte over its limit of 1 MiB, and logs how the connection ends.
const LIMIT = 1024 * 1024;
const ws = new WebSocket('/echo');

ws.onopen = () => {
  ws.send('x'.repeat(LIMIT + 1));
  console.log('sent', LIMIT + 1, 'bytes');
};

ws.onmessage = (event) => console.log('echoed back:', event.data.length, 'bytes');

ws.onclose = (event) =>
  console.info('closed with', event.code, JSON.stringify(event.reason), 'wasClean', event.wasClean);
