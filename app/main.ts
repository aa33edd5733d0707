import { mount } from 'svelte';
import App from './ui/App.svelte';
import './ui/styles/global.css';

const target = document.getElementById('app');
if (!target) throw new Error('index.html lacks #app');
// The classroom's instructor dashboard (`#teacher=SECRET`, printed by npm run classroom): a lazy
// chunk instead of the playground. Only the classroom server's socket accepts the secret.
if (/^#(.*&)?teacher\b/.test(location.hash)) {
  void import('./ui/classroom/dashboard-entry.ts').then(({ mountDashboard }) => mountDashboard(target));
} else mount(App, { target });
