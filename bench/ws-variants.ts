/**
 * The `ws` package in both configurations people deploy, loaded side by side in one process:
 *   'ws-js'     pure JavaScript: WS_NO_BUFFER_UTIL=1 and WS_NO_UTF_8_VALIDATE=1 when it loads;
 *   'ws-native' with the optional native helpers: bufferutil (masking) and, where Node lacks
 *               buffer.isUtf8, utf-8-validate.
 * ws reads those variables once, when its modules load, so each configuration is a fresh set
 * of ws's CommonJS modules: the module cache entries under node_modules/ws are dropped before
 * each load. A child process (bench/server-child.ts) gets the variables in its environment.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as WsModule from 'ws';

export type WsVariant = 'ws-js' | 'ws-native';

export const WS_VARIANTS: readonly WsVariant[] = ['ws-js', 'ws-native'];

export const WS_LABELS: Record<WsVariant, string> = {
  'ws-js': 'ws (pure JS)',
  'ws-native': 'ws + bufferutil',
};

const require = createRequire(import.meta.url);

/** Environment that makes ws load in the given configuration. */
export function wsEnv(variant: WsVariant, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env = { ...base };
  delete env.WS_NO_BUFFER_UTIL;
  delete env.WS_NO_UTF_8_VALIDATE;
  if (variant === 'ws-js') {
    env.WS_NO_BUFFER_UTIL = '1';
    env.WS_NO_UTF_8_VALIDATE = '1';
  }
  return env;
}

/** A fresh instance of ws's modules, loaded in that configuration. */
export function loadWs(variant: WsVariant): typeof WsModule {
  const saved = { ...process.env };
  const env = wsEnv(variant);
  for (const k of ['WS_NO_BUFFER_UTIL', 'WS_NO_UTF_8_VALIDATE'] as const) {
    if (env[k] === undefined) delete process.env[k];
    else process.env[k] = env[k];
  }
  try {
    for (const key of Object.keys(require.cache)) {
      if (/[\\/]node_modules[\\/]ws[\\/]/.test(key)) delete require.cache[key];
    }
    const ws = require('ws') as typeof WsModule;
    // Say which masking function this instance picked, so a label can never lie.
    const util = require(join(dirname(require.resolve('ws')), 'lib', 'buffer-util.js')) as {
      mask: { toString(): string };
    };
    const native = util.mask.toString().includes('bufferUtil.mask');
    if (native !== (variant === 'ws-native'))
      throw new Error(`${variant}: ws loaded ${native ? 'with' : 'without'} bufferutil`);
    return ws;
  } finally {
    for (const k of ['WS_NO_BUFFER_UTIL', 'WS_NO_UTF_8_VALIDATE'] as const) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  }
}

export function wsVersion(): string {
  return (require('ws/package.json') as { version: string }).version;
}
