/**
 * The inspector's state for one session: the query, the selected frame, whether the list follows
 * new frames, and how the payload is shown. Kept per session so switching tabs keeps it.
 */
import type { LabConnection } from '../connection/lab-connection.svelte.ts';
import { type Direction, FilterIndex, type FrameFilter } from './filter.ts';

export type PayloadView = 'text' | 'hex' | 'json';

export class InspectorState {
  filter = $state<FrameFilter>('all');
  direction = $state<Direction>('both');
  search = $state('');
  /** Frame id (position in the session's frame list). */
  selected = $state<number | undefined>(undefined);
  /** A field of the selected frame a lesson points at ('opcode', 'maskKey', ...). */
  field = $state<string | undefined>(undefined);
  /** Keep the newest frame in view as frames arrive (off once the learner scrolls up). */
  follow = $state(true);
  payloadView = $state<PayloadView>('text');
  readonly #index = new FilterIndex();

  constructor(readonly session: LabConnection) {}

  /** Matching frame ids; a new object on every change (the array inside grows in place). */
  readonly visible = $derived.by(() => {
    const frames = this.session.log.frames;
    const ids = this.#index.update(frames, {
      filter: this.filter,
      direction: this.direction,
      search: this.search,
    });
    return { ids, count: ids.length, version: this.session.version };
  });

  readonly selectedRow = $derived.by(() =>
    this.selected === undefined ? undefined : this.session.log.frames[this.selected],
  );

  select(id: number | undefined, field?: string): void {
    this.selected = id;
    this.field = field;
  }

  /** Moves the selection within the visible list (keyboard). */
  move(delta: number): void {
    const { ids } = this.visible;
    if (ids.length === 0) return;
    const at = this.selected === undefined ? -1 : ids.indexOf(this.selected);
    const next =
      at === -1 ? (delta > 0 ? 0 : ids.length - 1) : Math.max(0, Math.min(ids.length - 1, at + delta));
    this.selected = ids[next];
    this.follow = next === ids.length - 1;
  }
}

const states = new WeakMap<LabConnection, InspectorState>();

/** One InspectorState per session, created on first use. */
export function inspectorFor(session: LabConnection): InspectorState {
  let s = states.get(session);
  if (!s) states.set(session, (s = new InspectorState(session)));
  return s;
}
