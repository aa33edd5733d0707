/**
 * A lesson's walkthrough (play.ts) run in the real page, through the lab's own Connect, in
 * whichever mode the page is in: the e2e tests use it to prove that every lesson's start fails
 * and its solution passes on the real wire (Chromium's WebSocket and the Node server, or the
 * loopback), and a teacher can use it from the console to demonstrate a lesson.
 */
import { loadLesson, findLesson } from '../../lessons/catalog.ts';
import type { PlayLab, PlaySocket } from '../../lessons/play.ts';
import type { WireEvent } from '../../protocol/types.ts';
import type { Lab } from '../lab/lab.svelte.ts';
import type { LessonPlayer } from './player.svelte.ts';

export function pageLab(lab: Lab, player: LessonPlayer): PlayLab {
  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
  return {
    open(path, protocols = []) {
      const tab = lab.addTab(lab.transport.endpointUrl(path));
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
  id: string,
  which: 'start' | 'solution',
): Promise<Record<string, boolean>> {
  const entry = findLesson(id);
  if (!entry) throw new Error(`no lesson ${id}`);
  const { play } = await loadLesson(entry);
  if (!play) throw new Error(`lesson ${id} has no play.ts`);
  await play[which](pageLab(lab, player));
  await new Promise((r) => setTimeout(r, 300));
  player.check();
  return Object.fromEntries([...player.results].map(([task, r]) => [task, r.ok]));
}
