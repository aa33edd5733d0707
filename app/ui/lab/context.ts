/** The lab through Svelte context: a Symbol key and typed get/set (one Lab per page). */
import { getContext, hasContext, setContext } from 'svelte';
import type { Lab } from './lab.svelte.ts';

const KEY = Symbol('wsp.lab');

export function setLab(lab: Lab): Lab {
  return setContext(KEY, lab);
}

export function getLab(): Lab {
  if (!hasContext(KEY)) throw new Error('getLab(): no Lab in context; call setLab() in a parent');
  return getContext<Lab>(KEY);
}

/** The lab if a parent set one (panels embedded in a lesson work without it). */
export function maybeLab(): Lab | undefined {
  return hasContext(KEY) ? getContext<Lab>(KEY) : undefined;
}
