/**
 * The sandbox's ws server decides on each handshake (verifyClient, as ws's) and limits message
 * size (maxPayload): the security lesson's hardened servers, on the in-page network, seen from a client.
 */
import { expect, test } from '@playwright/test';
import { consoleLog, openCode, run, setCode } from './code-helpers.ts';

test("verifyClient sees the Origin (the page's, as PAGE_ORIGIN says), refuses with 401 or its own status, and maxPayload closes with 1009", async ({
  page,
}) => {
  await openCode(page);
  await setCode(
    page,
    [
      "const { WebSocketServer } = require('ws');",
      'const open = (url, name) => {',
      '  const ws = new WebSocket(url);',
      '  ws.onopen = () => { console.log(name, "open"); ws.send("x".repeat(100)); };',
      '  ws.onclose = (e) => console.log(name, "closed", e.code);',
      '};',
      'new WebSocketServer({ port: 8410, verifyClient: (info) => {',
      '  console.log("origin is the page:", info.origin === process.env.PAGE_ORIGIN, "url:", info.req.url);',
      '  return false;',
      '} }, () => open("ws://localhost:8410/?a=1", "sync"));',
      'new WebSocketServer({ port: 8411, verifyClient: (info, done) => done(false, 403, "not you") },',
      '  () => open("ws://localhost:8411", "async"));',
      'const small = new WebSocketServer({ port: 8412, maxPayload: 10, verifyClient: (info, done) => done(true) },',
      '  () => open("ws://localhost:8412", "small"));',
      'small.on("connection", (ws, req) => console.log("connection from the page:", req.headers.origin === process.env.PAGE_ORIGIN));',
    ].join('\n'),
  );
  await run(page);
  const log = consoleLog(page);
  await expect(log).toContainText('origin is the page: true url: /?a=1');
  await expect(log).toContainText('sync closed 1006');
  await expect(log).toContainText('async closed 1006');
  await expect(log).toContainText('small open');
  await expect(log).toContainText('connection from the page: true');
  await expect(log).toContainText('small closed 1009');
  await expect(log).not.toContainText('sync open');
  await expect(log).not.toContainText('async open');
  // The refusals on the wire: the handshake view of each connection shows the status.
  const statuses = await page.evaluate(() => {
    const lab = (
      window as unknown as {
        __wspLab?: {
          history?: { session: { log: { events: { kind: string; from?: string; text?: string }[] } } }[];
        };
      }
    ).__wspLab;
    return (lab?.history ?? []).map(
      (r) =>
        r.session.log.events
          .find((e) => e.kind === 'handshake' && e.from === 'server')
          ?.text?.split('\r\n')[0],
    );
  });
  expect(statuses).toEqual(expect.arrayContaining(['HTTP/1.1 401 Unauthorized', 'HTTP/1.1 403 Forbidden']));
});
