/**
 * The dashboard's chunk: main.ts loads it instead of the playground when the link says
 * `#teacher=SECRET`, so the first page of every student carries none of it.
 */
import { mount } from 'svelte';
import Dashboard from './Dashboard.svelte';
import { Dashboard as DashboardState, SECRET_KEY, readSecret } from './dashboard.svelte.ts';

export function mountDashboard(target: HTMLElement): void {
  let kept: string | null = null;
  try {
    kept = sessionStorage.getItem(SECRET_KEY);
  } catch {
    // storage disabled: the secret stays in the link
  }
  const secret = readSecret(location.hash, kept);
  try {
    if (secret) sessionStorage.setItem(SECRET_KEY, secret);
    // A projected screen shows the address bar: the secret leaves it (this tab keeps it).
    history.replaceState(history.state, '', '#teacher');
  } catch {
    // storage disabled: the link keeps the secret
  }
  const dashboard = new DashboardState(secret);
  if (/[#&]view=projector/.test(location.hash)) dashboard.view = 'projector';
  mount(Dashboard, { target, props: { dashboard } });
  void dashboard.start();
}
