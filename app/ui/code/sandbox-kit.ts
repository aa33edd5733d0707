/**
 * What running code needs, loaded by the first run (workspace.svelte.ts imports this file
 * dynamically): the sandbox host and its runtime, and the page's sandbox network with the
 * in-page virtual networks behind it. None of it is part of the first load.
 */
import { getSandboxNetwork } from '../../sandbox/network.ts';
import { CodeRun, type RunOptions } from './run.svelte.ts';

/** A run on the page's one sandbox network (learner servers are reachable from every sandbox). */
export function createRun(options: Omit<RunOptions, 'network'>): CodeRun {
  return new CodeRun({ ...options, network: getSandboxNetwork() });
}
