/** wss: serve and classroom over TLS, with a self-signed certificate made here by openssl. */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClassroomHost } from './classroom.ts';
import { makeTestCertificate, type TestCertificate } from './test-cert.ts';
import { closed, inboxOf, openWs, testServers, withTimeout } from './test-helpers.ts';

const servers = testServers();
let made: TestCertificate;
let cert = '';
let key = '';

beforeAll(() => {
  made = makeTestCertificate();
  cert = made.certFile;
  key = made.keyFile;
});
afterAll(() => made.remove());

describe('TLS (wss)', () => {
  it('serves /echo over wss to a client that trusts the certificate, and says https/wss', async () => {
    const pem = readFileSync(cert);
    const server = await servers.start({ tls: { cert: pem, key: readFileSync(key) } });
    expect(server.httpUrl).toBe(`https://127.0.0.1:${server.port}/`);
    expect(server.wsUrl).toBe(`wss://127.0.0.1:${server.port}/echo`);
    const ws = await openWs(`wss://127.0.0.1:${server.port}/echo`, undefined, { ca: pem });
    ws.send('over tls');
    expect((await inboxOf(ws).next()).data).toBe('over tls');
    ws.close(1000);
    expect((await closed(ws)).code).toBe(1000);
  });

  it('refuses a client that does not trust the certificate (no plain fallback)', async () => {
    const server = await servers.start({ tls: { cert: readFileSync(cert), key: readFileSync(key) } });
    await expect(openWs(`wss://127.0.0.1:${server.port}/echo`)).rejects.toThrow(/self.signed|certificate/i);
    await expect(openWs(`ws://127.0.0.1:${server.port}/echo`)).rejects.toThrow();
  });

  it('hosts the classroom dashboard and its probe over TLS', async () => {
    const pem = readFileSync(cert);
    const host = createClassroomHost({ secret: 'tls-secret-1' });
    const server = await servers.start({ tls: { cert: pem, key: readFileSync(key) }, classroom: host });
    const dash = await openWs(
      `wss://127.0.0.1:${server.port}/__classroom/dashboard?key=tls-secret-1`,
      undefined,
      {
        ca: pem,
      },
    );
    const first = JSON.parse(String((await inboxOf(dash).next()).data)) as { type: string };
    expect(first.type).toBe('state');
    dash.terminate();
    const body = await new Promise<string>((resolve, reject) => {
      https
        .get(`https://127.0.0.1:${server.port}/__classroom/info`, { ca: pem }, (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => resolve(text));
        })
        .on('error', reject);
    });
    expect(JSON.parse(body)).toEqual({ classroom: true });
  });

  it('classroom --tls-cert --tls-key prints https and wss URLs and the dashboard link', async () => {
    const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        cli,
        'classroom',
        '--port',
        '0',
        '--tls-cert',
        cert,
        '--tls-key',
        key,
        '--secret',
        'printed-secret',
      ],
      { cwd: fileURLToPath(new URL('../../', import.meta.url)), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await withTimeout(
        new Promise<void>((resolve) => child.stdout.on('data', () => out.includes('#teacher=') && resolve())),
        20_000,
        'the banner',
      );
      expect(out).toMatch(/listening on https:\/\/0\.0\.0\.0:\d+\/ {2}\(wss:\/\/0\.0\.0\.0:\d+\/echo\)/);
      expect(out).toMatch(/https:\/\/localhost:\d+\/ {3}\(this machine\)/);
      expect(out).not.toMatch(/\bhttp:\/\/|\bws:\/\//);
      expect(out).toMatch(/https:\/\/localhost:\d+\/#teacher=printed-secret/);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('refuses --tls-cert without --tls-key, saying both are needed', () => {
    const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));
    let err = '';
    try {
      execFileSync(process.execPath, ['--import', 'tsx', cli, 'serve', '--tls-cert', cert], {
        cwd: fileURLToPath(new URL('../../', import.meta.url)),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (error) {
      err = String((error as { stderr?: Buffer }).stderr ?? '');
    }
    expect(err).toMatch(/--tls-cert and --tls-key go together/);
  });
});
