/**
 * Every HTTP response of our Node server (dev, preview, serve, classroom) carries this header,
 * so the page can tell with one HEAD request, and no failed socket in the console, whether the
 * real endpoints are there or the loopback must stand in (app/loopback/mode.ts). A module of its
 * own so the page's probe does not load the services.
 */
export const SERVER_HEADER = 'X-WebSocket-Playground';
