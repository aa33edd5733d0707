/** The classroom's student side, one lazy chunk: App imports it only when the page is served by our server. */
export { default as ClassroomBar } from './ClassroomBar.svelte';
export { StudentLink } from './student.svelte.ts';
