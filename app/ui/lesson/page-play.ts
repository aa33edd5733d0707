/**
 * A lesson's walkthrough (play.ts) run in the real page, through the lab's own Connect, in
 * whichever mode the page is in: the e2e tests use it to prove that every lesson's start fails
 * and its solution passes on the real wire (Chromium's WebSocket and the Node server, or the
 * loopback), and a teacher can use it from the console to demonstrate a lesson.
 */
import { uncompressedUrl } from '../../loopback/mode.ts';
import { loadLesson, findLesson } from '../../lessons/catalog.ts';
import type { PlayLab, PlaySocket } from '../../lessons/play.ts';
import type { WireEvent } from '../../protocol/types.ts';
import type { CodeWorkspace } from '../code/workspace.svelte.ts';
import type { Lab } from '../lab/lab.svelte.ts';
import type { LessonPlayer } from './player.svelte.ts';

export function pageLab(lab: Lab, player: LessonPlayer, workspace: () => CodeWorkspace | undefined): PlayLab {
  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
  return {
    open(path, protocols = []) {
      // Lessons teach RFC 6455 framing: no permessage-deflate (see uncompressedUrl).
      const tab = lab.addTab(uncompressedUrl(lab.transport.endpointUrl(path)));
      tab.protocols = protocols.join(', ');
      if (!tab.connect() || !tab.session?.socket) throw new Error(`could not open ${path}: ${tab.openError}`);
      return tab.session.socket as unknown as PlaySocket;
    },
    wait: sleep,
    async until(done, ms = 10_000) {
      const end = performance.now() + ms;
      while (!done()) {
        if (performance.now() > end) throw new Error(`still waiting after ${ms} ms`);
        await sleep(20);
      }
    },
    input: (name, value) => player.input(name, value),
    log: (line) => player.log(line),
    async run(file, version) {
      const ws = workspace() ?? (await player.codeArea());
      const id = player.openFile(file);
      const code = player.loaded?.content.code[version][file];
      if (!id || !ws || code === undefined)
        throw new Error(`cannot run ${file}: no code area or no such file`);
      ws.replaceCode(id, code);
      const run = await ws.run(id);
      if (!run) throw new Error(`${file} did not start: ${ws.runMessage}`);
      const end = performance.now() + 15_000;
      while (run.status === 'starting' && performance.now() < end) await sleep(50);
      if (run.status !== 'running') throw new Error(`${file} is ${run.status}: ${run.exitMessage}`);
      await sleep(300); // its servers listen, its first sockets open
    },
    probe: () => player.probe(),
    async settle(tasks, ms) {
      const end = performance.now() + ms;
      while (performance.now() < end) {
        player.check();
        if (tasks.every((t) => player.results.get(t)?.ok)) return;
        await sleep(250);
      }
    },
    fetch: (path) => player.fetchHttp(path),
    wire(socket) {
      const record = lab.history.find((r) => r.session.socket === (socket as unknown));
      record?.session.flush();
      return (record?.session.log.events ?? []).filter((e): e is WireEvent => e.kind !== 'api');
    },
  };
}

/** Plays a lesson's start or solution in the page, then re-checks; resolves to the results. */
export async function playInPage(
  lab: Lab,
  player: LessonPlayer,
  workspace: () => CodeWorkspace | undefined,
  id: string,
  which: 'start' | 'solution',
): Promise<Record<string, boolean>> {
  const entry = findLesson(id);
  if (!entry) throw new Error(`no lesson ${id}`);
  const { play } = await loadLesson(entry);
  if (!play) throw new Error(`lesson ${id} has no play.ts`);
  await play[which](pageLab(lab, player, workspace));
  await new Promise((r) => setTimeout(r, 300));
  player.check();
  // As the lesson counts them: a task that passed during the walk stays passed (a check of
  // random waits, say, may read a later schedule differently).
  return Object.fromEntries([...player.results].map(([task]) => [task, player.passed(task)]));
}
