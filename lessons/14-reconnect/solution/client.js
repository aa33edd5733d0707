// A client for two servers: one keeps dropping you (1006), one says goodbye (1000).
const FLAKY = '/close?drop=1&delay=300'; // opens, then drops the connection: close 1006
const CLEAN = '/close?code=1000&reason=done&delay=300'; // opens, then closes cleanly: 1000

const BASE_MS = 250; // the first wait
const CAP_MS = 2000; // no wait is longer
const STABLE_MS = 5000; // only a connection that lasts this long resets the backoff

function reconnecting(url) {
  let attempt = 0;
  const connect = () => {
    const ws = new WebSocket(url);
    let stable;
    ws.onopen = () => {
      console.log(`${url}: open`);
      // Not attempt = 0 here: this server opens, then drops you at once.
      stable = setTimeout(() => (attempt = 0), STABLE_MS);
    };
    ws.onclose = (event) => {
      clearTimeout(stable);
      if (event.code === 1000) return console.info(`${url}: closed cleanly, not reconnecting`);
      const ceiling = Math.min(CAP_MS, BASE_MS * 2 ** attempt);
      const wait = ceiling / 2 + Math.random() * (ceiling / 2); // half fixed, half random
      attempt += 1;
      console.warn(`${url}: closed with ${event.code}; retry ${attempt} in ${Math.round(wait)} ms`);
      setTimeout(connect, wait);
    };
  };
  connect();
}

reconnecting(FLAKY);
reconnecting(CLEAN);
