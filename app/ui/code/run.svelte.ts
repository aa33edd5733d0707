/**
 * One run of one document: its sandbox, its console and what it opened. Each Run gets a fresh
 * sandbox; running again stops the previous run of the same document first, "Run another"
 * keeps it (two chat clients side by side).
 */
import { Sandbox, type ExitReason, type SandboxSocket } from '../../sandbox/host.ts';
import type { SandboxNetwork } from '../../sandbox/network.ts';
import type { ConsoleEntry, RunRequest } from '../../sandbox/protocol.ts';
import { ConsoleLog } from './console-log.ts';

export type RunStatus =
  'starting' | 'running' | 'stopped' | 'unresponsive' | 'out-of-memory' | 'flooded' | 'failed';

export interface RunOptions {
  docId: string;
  label: string;
  mode: 'server' | 'static';
  network: SandboxNetwork;
  /** The watchdog's limit for a silent worker (ms). */
  timeoutMs?: number;
  onSocket?(run: CodeRun, socket: SandboxSocket): void;
}

let nextRunId = 1;

export class CodeRun {
  readonly id = nextRunId++;
  /** Epoch ms when the run was made (lessons count the console of runs since they began). */
  readonly startedAt = Date.now();
  readonly docId: string;
  readonly label: string;
  readonly mode: 'server' | 'static';
  readonly console = new ConsoleLog();
  status = $state<RunStatus>('starting');
  /** Why it ended, for the learner. */
  exitMessage = $state('');
  /** Sockets the code opened so far. */
  sockets = $state(0);
  /** Ports its servers listen on. */
  ports = $state<number[]>([]);
  /** Editor lines of uncaught errors, newest last (the editor marks them). */
  errors = $state<{ line: number; message: string }[]>([]);
  /** Lines printed so far (for the tab's badge). */
  lines = $state(0);
  readonly #sandbox: Sandbox;

  constructor(options: RunOptions) {
    this.docId = options.docId;
    this.label = options.label;
    this.mode = options.mode;
    this.#sandbox = new Sandbox({
      mode: options.mode,
      network: options.network,
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      onConsole: (entries, dropped) => this.#print(entries, dropped),
      onSocket: (socket) => {
        this.sockets++;
        options.onSocket?.(this, socket);
      },
      onExit: (reason) => this.#exit(reason),
    });
    const stopWatching = options.network.watch(() => (this.ports = this.#sandbox.serverPorts));
    this.#stopWatching = stopWatching;
  }

  readonly #stopWatching: () => void;

  get live(): boolean {
    return this.status === 'starting' || this.status === 'running';
  }

  async start(request: RunRequest): Promise<void> {
    const where =
      this.mode === 'server' ? "the browser's WebSocket to the dev server" : 'the in-page virtual network';
    this.#system(`▶ running ${this.label} in a sandbox (sockets: ${where})`);
    await this.#sandbox.start();
    if (this.#sandbox.ended) return;
    this.status = 'running';
    await this.#sandbox.run(request);
  }

  stop(): void {
    this.#sandbox.stop();
  }

  /** A line from the playground about this run (e.g. the lab's tab cap), in its console. */
  note(text: string): void {
    this.#system(`ℹ ${text}`, 'warn');
  }

  /** A line from the playground itself (not from the code). */
  #system(text: string, level: ConsoleEntry['level'] = 'system'): void {
    this.#print([{ level, at: Date.now(), text }], 0);
  }

  #print(entries: ConsoleEntry[], dropped: number): void {
    const errors = entries.filter((e) => e.level === 'error' && e.line !== undefined);
    if (errors.length)
      this.errors = [
        ...this.errors,
        ...errors.map((e) => ({ line: e.line!, message: e.text.split('\n')[0] ?? '' })),
      ].slice(-20);
    this.console.append(entries, dropped);
    this.lines = this.console.size;
  }

  #exit(reason: ExitReason): void {
    this.#stopWatching();
    this.ports = [];
    switch (reason.kind) {
      case 'stopped':
        this.status = 'stopped';
        this.exitMessage = 'Stopped.';
        this.#system('■ stopped: the sandbox was removed; its sockets and servers went with it');
        return;
      case 'unresponsive': {
        this.status = 'unresponsive';
        const s = (reason.silentMs / 1000).toFixed(1);
        this.exitMessage = `Stopped after ${s} s without a break: an endless loop?`;
        this.#system(
          `■ stopped: your code ran for ${s} s without ever yielding to the event loop (an endless loop such as while (true) {}?). ` +
            'Nothing else could run meanwhile: no timers, no socket events. The sandbox was removed; the page was never blocked.',
          'error',
        );
        return;
      }
      case 'out-of-memory': {
        this.status = 'out-of-memory';
        const mib = (n: number): number => Math.round(n / (1024 * 1024));
        this.exitMessage = `Stopped: out of memory (about ${mib(reason.bytes)} MiB held in arrays).`;
        this.#system(
          `■ stopped: out of memory. Your code held about ${mib(reason.bytes)} MiB in arrays, over the playground's ${mib(reason.limit)} MiB, ` +
            'and kept growing (a runaway allocation: an array that is filled and never emptied?). The sandbox was removed before the tab ran out of memory.',
          'error',
        );
        return;
      }
      case 'flooded':
        this.status = 'flooded';
        this.exitMessage = `Stopped: ${reason.message}`;
        this.#system(
          `■ stopped: ${reason.message}. The sandbox was removed; the page was never blocked.`,
          'error',
        );
        return;
      case 'failed':
        this.status = 'failed';
        this.exitMessage = reason.message;
        this.#system(`■ the sandbox failed: ${reason.message}`, 'error');
        return;
    }
  }
}
