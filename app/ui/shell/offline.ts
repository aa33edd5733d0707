/**
 * The service worker of the production build (vite.config.ts: vite-plugin-pwa, generateSW):
 * registered once the page has loaded, so it never competes with the first paint; it precaches
 * the whole build, after which the page reloads and runs offline (on the loopback).
 *
 * Updates never reload by themselves: a new worker waits until the learner picks "Reload" in
 * the notice; only then is it told to take over (SKIP_WAITING, which the generated worker
 * listens for), and only the tab where it was picked reloads. Another tab the new worker took
 * over (clientsClaim) shows the notice too, since its lazily loaded parts are now the new ones.
 */

/** The subset of ServiceWorkerContainer used here, so tests can pass a fake. */
export interface WorkerContainer {
  readonly controller: unknown;
  register(url: string, options?: RegistrationOptions): Promise<WorkerRegistration>;
  addEventListener(type: 'controllerchange', listener: () => void): void;
}

export interface WorkerRegistration {
  readonly waiting: WaitingWorker | null;
  readonly installing: WaitingWorker | null;
  addEventListener(type: 'updatefound', listener: () => void): void;
  update(): Promise<unknown>;
}

export interface WaitingWorker {
  readonly state: string;
  postMessage(message: unknown): void;
  addEventListener(type: 'statechange', listener: () => void): void;
}

export interface OfflineOptions {
  container: WorkerContainer;
  /** The worker's URL, relative to the page: the build may live under any sub-path. */
  url?: string;
  /** Shows the notice; `reload` applies the update. Called at most once. */
  showNotice(reload: () => void): void;
  reload(): void;
  /** How often an open page asks for a newer worker (a lesson can last hours). */
  checkEveryMs?: number;
}

export const CHECK_EVERY_MS = 60 * 60 * 1000;

/** Registers the worker and wires the update notice; resolves once registered. */
export async function startOffline(options: OfflineOptions): Promise<WorkerRegistration> {
  const { container } = options;
  let applying = false;
  let shown = false;
  const notify = (apply: () => void): void => {
    if (shown) return;
    shown = true;
    options.showNotice(apply);
  };
  const offer = (worker: WaitingWorker): void =>
    notify(() => {
      applying = true;
      worker.postMessage({ type: 'SKIP_WAITING' });
    });

  // With no controller this is the first install: nothing to update, the page is current, and
  // the first worker taking the page over (clientsClaim) is not a new version.
  let controlled = container.controller !== null && container.controller !== undefined;
  container.addEventListener('controllerchange', () => {
    if (applying) options.reload();
    else if (controlled) notify(options.reload);
    controlled = true;
  });
  const hadController = controlled;
  const registration = await container.register(options.url ?? './sw.js', { scope: './' });
  if (registration.waiting && hadController) offer(registration.waiting);
  registration.addEventListener('updatefound', () => {
    const worker = registration.installing;
    worker?.addEventListener('statechange', () => {
      if (worker.state === 'installed' && container.controller) offer(worker);
    });
  });
  const timer = setInterval(
    () => void registration.update().catch(() => undefined), // offline: try again next time
    options.checkEveryMs ?? CHECK_EVERY_MS,
  );
  // A page that has long been closed needs no timer (Node tests too).
  (timer as { unref?: () => void }).unref?.();
  return registration;
}
