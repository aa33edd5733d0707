// Reconnect with exponential backoff and full jitter. The /close endpoint drops us
// after a moment, so you can watch the retries space out.
const URL_TO_TRY = '/close?drop=1&delay=1500';
const BASE_MS = 250;
const MAX_MS = 8000;
let attempt = 0;

function backoff(n) {
  // Full jitter: a random wait between 0 and min(MAX, BASE * 2^n).
  const cap = Math.min(MAX_MS, BASE_MS * 2 ** n);
  return Math.round(Math.random() * cap);
}

function connect() {
  const ws = new WebSocket(URL_TO_TRY);
  ws.onopen = () => {
    console.info(`connected (attempt ${attempt + 1})`);
    attempt = 0; // a good connection resets the backoff
  };
  ws.onclose = (event) => {
    if (event.code === 1000) return console.info('closed normally: not reconnecting');
    const wait = backoff(attempt++);
    console.warn(`closed with ${event.code}; retry #${attempt} in ${wait} ms`);
    if (attempt > 5) return console.error('giving up after 5 retries');
    setTimeout(connect, wait);
  };
}

connect();
