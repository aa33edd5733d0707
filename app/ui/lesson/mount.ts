/**
 * Mounts the lesson column into an element, after the first screen is up: App loads this file
 * with a dynamic import, so the player, the course's frontmatter and the lessons cost nothing
 * in the first load.
 */
import { mount, unmount, type ComponentProps } from 'svelte';
import LessonPanel from './LessonPanel.svelte';

export function mountLessons(target: HTMLElement, props: ComponentProps<typeof LessonPanel>): () => void {
  const component = mount(LessonPanel, { target, props });
  return () => void unmount(component);
}
