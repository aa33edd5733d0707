// What goes wrong, and how it shows: exceptions, error events and close codes.

// 1. The constructor throws a SyntaxError for a URL it cannot use.
try {
  new WebSocket('ftp://example.com');
} catch (err) {
  console.error(err.name + ':', err.message);
}

// 2. close() refuses codes the page may not send (1000 and 3000-4999 only).
const ws = new WebSocket('/echo');
ws.onopen = () => {
  try {
    ws.close(1006);
  } catch (err) {
    console.error(err.name + ':', err.message);
  }
  ws.close(1000);
};

// 3. The server closes with its own code: 4000 here, with a reason.
const byServer = new WebSocket('/close?code=4000&reason=server%20says%20bye');
byServer.onclose = (e) =>
  console.warn('closed by the server:', e.code, JSON.stringify(e.reason), 'clean:', e.wasClean);

// 4. No close frame at all: the page sees 1006 (abnormal closure), after an error event.
const dropped = new WebSocket('/close?drop=1');
dropped.onerror = () => console.error('error event (the API never says why)');
dropped.onclose = (e) => console.warn('dropped:', e.code, 'clean:', e.wasClean);
