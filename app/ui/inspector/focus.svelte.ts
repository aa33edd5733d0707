/**
 * What the inspector shows, when someone other than the learner's clicks decides it: a lesson
 * asks for the handshake view, opens Paste & decode with bytes, or reads what the learner typed
 * there. One per page (Svelte context); the inspector makes its own when none is set.
 */
import { getContext, setContext } from 'svelte';

export type InspectorView = 'frames' | 'handshake' | 'paste';

const KEY = Symbol('inspector-focus');

export class InspectorFocus {
  view = $state<InspectorView>('frames');
  /** Bytes a lesson puts into Paste & decode; `n` changes each time so the same text applies again. */
  preset = $state<{ text: string; n: number } | undefined>(undefined);
  /** What is in Paste & decode now (the learner's typing included). */
  pasted = $state('');

  show(view: InspectorView): void {
    this.view = view;
  }

  paste(text: string): void {
    this.preset = { text, n: (this.preset?.n ?? 0) + 1 };
    this.view = 'paste';
  }
}

export function setInspectorFocus(focus: InspectorFocus): InspectorFocus {
  return setContext(KEY, focus);
}

export function maybeInspectorFocus(): InspectorFocus | undefined {
  return getContext<InspectorFocus | undefined>(KEY);
}
