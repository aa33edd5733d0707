import { mount } from 'svelte';
import App from './ui/App.svelte';
import './ui/styles/global.css';

const target = document.getElementById('app');
if (!target) throw new Error('index.html lacks #app');
mount(App, { target });

// Offline (production build only; never in dev): the service worker is registered once the
// page has loaded, from a small lazy chunk, so it adds nothing to the first load.
if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  addEventListener(
    'load',
    () => void import('./ui/shell/offline-start.ts').then((m) => m.registerOffline()).catch(() => undefined), // the chunk did not load: the page works, only not offline
    { once: true },
  );
}
