/** The service worker's update rules, on a fake ServiceWorkerContainer (the browser's is in e2e). */
import { describe, expect, it } from 'vitest';
import {
  startOffline,
  type WaitingWorker,
  type WorkerContainer,
  type WorkerRegistration,
} from './offline.ts';

class FakeWorker implements WaitingWorker {
  state = 'installing';
  messages: unknown[] = [];
  #listeners: (() => void)[] = [];
  postMessage(message: unknown): void {
    this.messages.push(message);
  }
  addEventListener(_type: 'statechange', listener: () => void): void {
    this.#listeners.push(listener);
  }
  become(state: string): void {
    this.state = state;
    this.#listeners.forEach((l) => l());
  }
}

class FakeRegistration implements WorkerRegistration {
  waiting: FakeWorker | null = null;
  installing: FakeWorker | null = null;
  updates = 0;
  #found: (() => void)[] = [];
  addEventListener(_type: 'updatefound', listener: () => void): void {
    this.#found.push(listener);
  }
  update(): Promise<unknown> {
    this.updates++;
    return Promise.resolve();
  }
  /** A new worker starts installing. */
  found(worker: FakeWorker): void {
    this.installing = worker;
    this.#found.forEach((l) => l());
  }
}

class FakeContainer implements WorkerContainer {
  registered: { url: string; options?: RegistrationOptions }[] = [];
  #changes: (() => void)[] = [];
  constructor(
    public controller: unknown,
    readonly registration = new FakeRegistration(),
  ) {}
  register(url: string, options?: RegistrationOptions): Promise<WorkerRegistration> {
    this.registered.push({ url, options });
    return Promise.resolve(this.registration);
  }
  addEventListener(_type: 'controllerchange', listener: () => void): void {
    this.#changes.push(listener);
  }
  /** A worker takes the page over. */
  change(controller: unknown): void {
    this.controller = controller;
    this.#changes.forEach((l) => l());
  }
}

function setup(controller: unknown) {
  const container = new FakeContainer(controller);
  const notices: (() => void)[] = [];
  let reloads = 0;
  const started = startOffline({
    container,
    showNotice: (apply) => notices.push(apply),
    reload: () => reloads++,
  });
  return { container, notices, reloads: () => reloads, started };
}

describe('startOffline', () => {
  it('registers sw.js relative to the page, so the build works under any sub-path', async () => {
    const { container, started } = setup(null);
    await started;
    expect(container.registered).toEqual([{ url: './sw.js', options: { scope: './' } }]);
  });

  it('shows no notice on the first install, when the first worker takes the page over', async () => {
    const { container, notices, reloads, started } = setup(null);
    await started;
    const first = new FakeWorker();
    container.registration.found(first);
    first.become('installed');
    container.change(first);
    expect(notices).toEqual([]);
    expect(reloads()).toBe(0);
  });

  it('offers a new worker once installed, and only Reload tells it to take over and reloads', async () => {
    const { container, notices, reloads, started } = setup({ old: true });
    await started;
    const next = new FakeWorker();
    container.registration.found(next);
    next.become('installed');
    expect(notices).toHaveLength(1);
    expect(next.messages).toEqual([]); // nothing happens until the learner decides
    expect(reloads()).toBe(0);
    notices[0]!();
    expect(next.messages).toEqual([{ type: 'SKIP_WAITING' }]);
    expect(reloads()).toBe(0); // reloading waits until the new worker controls the page
    container.change(next);
    expect(reloads()).toBe(1);
  });

  it('offers a worker that was already waiting from an earlier visit', async () => {
    const container = new FakeContainer({ old: true });
    container.registration.waiting = new FakeWorker();
    const notices: (() => void)[] = [];
    await startOffline({ container, showNotice: (a) => notices.push(a), reload: () => undefined });
    expect(notices).toHaveLength(1);
  });

  it('shows the notice, without reloading, when another tab applied the update', async () => {
    const { container, notices, reloads, started } = setup({ old: true });
    await started;
    container.change({ new: true });
    expect(reloads()).toBe(0);
    expect(notices).toHaveLength(1);
    notices[0]!();
    expect(reloads()).toBe(1);
  });

  it('shows the notice once however many times an update is found', async () => {
    const { container, notices, started } = setup({ old: true });
    await started;
    for (let i = 0; i < 3; i++) {
      const w = new FakeWorker();
      container.registration.found(w);
      w.become('installed');
    }
    expect(notices).toHaveLength(1);
  });

  it('asks for a newer worker periodically', async () => {
    const container = new FakeContainer(null);
    await startOffline({ container, showNotice: () => undefined, reload: () => undefined, checkEveryMs: 5 });
    await new Promise((r) => setTimeout(r, 30));
    expect(container.registration.updates).toBeGreaterThan(0);
  });
});
