// Reconnect with exponential backoff and full jitter. The /close endpoint lets us in, then
// drops us after a moment (1006), so you can watch the retries space out.
// The lesson "Reconnecting with backoff and jitter" (#lesson=reconnect) builds this step by step.
const URL_TO_TRY = '/close?drop=1&delay=1500';
const BASE_MS = 250;
const MAX_MS = 8000;
const STABLE_MS = 10000; // only a connection that lasts this long resets the backoff
const MAX_RETRIES = 8;
let attempt = 0;

function backoff(n) {
  // Full jitter: a random wait between 0 and min(MAX, BASE * 2^n).
  const cap = Math.min(MAX_MS, BASE_MS * 2 ** n);
  return Math.round(Math.random() * cap);
}

function connect() {
  const ws = new WebSocket(URL_TO_TRY);
  let stable;
  ws.onopen = () => {
    console.info(`connected (attempt ${attempt + 1})`);
    // Not attempt = 0 here: a server that lets us in and drops us at once would be retried
    // at the first, shortest wait for ever. Reset once the connection has proved itself.
    stable = setTimeout(() => (attempt = 0), STABLE_MS);
  };
  ws.onclose = (event) => {
    clearTimeout(stable);
    if (event.code === 1000) return console.info('closed normally: not reconnecting');
    if (attempt >= MAX_RETRIES) return console.error(`giving up after ${MAX_RETRIES} retries`);
    const wait = backoff(attempt++);
    console.warn(`closed with ${event.code}; retry #${attempt} in ${wait} ms`);
    setTimeout(connect, wait);
  };
}

connect();
