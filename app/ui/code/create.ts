/**
 * The page's code workspace, wired to the lab (every socket code opens gets a lab tab) and to
 * the page's transport choice (read at each run). App makes one and shares it with the lesson
 * player, which opens lessons' files in it.
 */
import type { Lab } from '../lab/lab.svelte.ts';
import type { ModeChoice } from '../transport/mode.svelte.ts';
import { registerInLab } from './lab-bridge.ts';
import { CodeWorkspace } from './workspace.svelte.ts';

export function createWorkspace(
  lab: Lab | undefined,
  modes: ModeChoice,
  options: { mode?: 'server' | 'static'; timeoutMs?: () => number | undefined } = {},
): CodeWorkspace {
  const fallback = options.mode ?? 'static';
  return new CodeWorkspace({
    // Read at each run: a switch in the header applies to the next run, as to the lab's next connection.
    mode: () => (!modes.settled ? fallback : modes.mode === 'server' ? 'server' : 'static'),
    onSocket: (run, socket) => {
      if (lab) registerInLab(lab, run, socket);
    },
    get timeoutMs() {
      return options.timeoutMs?.();
    },
  });
}
