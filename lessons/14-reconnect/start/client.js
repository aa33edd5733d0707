// A client for two servers: one keeps dropping you (1006), one says goodbye (1000).
const FLAKY = '/close?drop=1&delay=300'; // opens, then drops the connection: close 1006
const CLEAN = '/close?code=1000&reason=done&delay=300'; // opens, then closes cleanly: 1000

function reconnecting(url) {
  const ws = new WebSocket(url);
  ws.onopen = () => console.log(`${url}: open`);
  ws.onclose = (event) => {
    console.warn(`${url}: closed with ${event.code}`);
    // TODO: unless the close was a clean 1000, connect again after a wait that
    // - starts small (about 250 ms) and doubles with each attempt,
    // - never goes over 2000 ms,
    // - has a random part (jitter).
  };
}

reconnecting(FLAKY);
reconnecting(CLEAN);
