/**
 * Mounts the code area into an element, on demand: App loads this file with a dynamic import
 * when the code area is unfolded, a lesson opens (its files open here) or a share link arrives,
 * so the workspace, the snippets and the sandbox's helpers cost nothing in the first load.
 */
import { mount, unmount } from 'svelte';
import type { Lab } from '../lab/lab.svelte.ts';
import type { ModeChoice } from '../transport/mode.svelte.ts';
import CodePanel from './CodePanel.svelte';
import { createWorkspace } from './create.ts';
import type { CodeWorkspace } from './workspace.svelte.ts';

export interface MountedCode {
  workspace: CodeWorkspace;
  unmount: () => void;
}

/** The page's "focus on the code" switch (App lays the page out; the code area shows the button). */
export interface CodeFocus {
  readonly on: boolean;
  toggle(): void;
}

export function mountCode(
  target: HTMLElement,
  options: { lab: Lab; modes: ModeChoice; onreveal: () => void; focus?: CodeFocus },
): MountedCode {
  const workspace = createWorkspace(options.lab, options.modes);
  const component = mount(CodePanel, {
    target,
    props: { workspace, onreveal: options.onreveal, focus: options.focus },
  });
  return { workspace, unmount: () => void unmount(component) };
}
