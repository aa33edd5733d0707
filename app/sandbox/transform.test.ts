import { describe, expect, it } from 'vitest';
import { toCommonJs } from './transform.ts';

describe('toCommonJs', () => {
  it.each([
    ["import WebSocket from 'ws';", 'const WebSocket = require("ws");'],
    ["import { WebSocketServer } from 'ws';", 'const { WebSocketServer } = require("ws");'],
    [
      "import { WebSocketServer as S, WebSocket } from 'ws'",
      'const { WebSocketServer: S, WebSocket } = require("ws");',
    ],
    ["import * as ws from 'ws';", 'const ws = require("ws");'],
    [
      "import WebSocket, { WebSocketServer } from 'ws';",
      'const WebSocket = require("ws"), { WebSocketServer } = WebSocket;',
    ],
    ["import 'ws';", 'require("ws");'],
    ["import type { RawData } from 'ws';", ''],
    ['export const port = 8080;', 'const port = 8080;'],
    ['export async function main() {}', 'async function main() {}'],
    ['export default 42;', 'module.exports.default = 42;'],
  ])('%s', (input, output) => {
    expect(toCommonJs(input)).toBe(output);
  });

  it('keeps every line where it was (stack traces point at the editor)', () => {
    const code = [
      'import {',
      '  WebSocketServer,',
      '  WebSocket,',
      "} from 'ws';",
      'const x = 1;',
      'throw new Error()',
    ].join('\n');
    const out = toCommonJs(code);
    expect(out.split('\n')).toHaveLength(6);
    expect(out.split('\n')[0]).toBe('const { WebSocketServer, WebSocket } = require("ws");');
    expect(out.split('\n')[4]).toBe('const x = 1;');
  });

  it('leaves imports inside strings and other code alone', () => {
    const code = 'const s = "import x from \'ws\'";\nfoo.import = 1;';
    expect(toCommonJs(code)).toBe(code);
  });
});
