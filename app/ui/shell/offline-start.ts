/**
 * Loaded by app/main.ts after the page's `load` event, in the production build only: registers
 * the service worker and shows UpdateNotice when a new version waits (rules in offline.ts).
 */
import { mount } from 'svelte';
import { startOffline } from './offline.ts';
import UpdateNotice from './UpdateNotice.svelte';

export function registerOffline(): void {
  void startOffline({
    container: navigator.serviceWorker,
    showNotice(reload) {
      const target = document.createElement('div');
      target.dataset.updateNotice = '';
      document.body.append(target);
      mount(UpdateNotice, { target, props: { onreload: reload } });
    },
    reload: () => location.reload(),
  }).catch((error: unknown) => {
    // No worker (private mode, a host refusing sw.js): the page works, only not offline.
    console.warn('offline support is unavailable:', error);
  });
}
