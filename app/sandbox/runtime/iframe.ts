/**
 * The sandboxed iframe's only script. The page posts it the worker's source and one end of a
 * MessageChannel; it starts the worker from a blob (so the worker shares the iframe's opaque
 * origin) and hands the port on. From then on the page and the worker talk directly; the
 * iframe stays a host whose removal ends the worker.
 *
 * SELF-CONTAINED (injected as text into the iframe's srcdoc).
 */
export function iframeMain(): void {
  const onMessage = (e: MessageEvent): void => {
    const data = e.data as { source?: unknown; port?: unknown } | null;
    if (!data || typeof data.source !== 'string' || !(data.port instanceof MessagePort)) return;
    removeEventListener('message', onMessage);
    const url = URL.createObjectURL(new Blob([data.source], { type: 'text/javascript' }));
    try {
      const worker = new Worker(url, { name: 'learner code' });
      worker.postMessage({ port: data.port }, [data.port]);
    } catch (error) {
      data.port.postMessage({
        kind: 'console',
        dropped: 0,
        entries: [
          { level: 'error', at: Date.now(), text: `The sandbox could not start a worker: ${String(error)}` },
        ],
      });
    } finally {
      URL.revokeObjectURL(url);
    }
  };
  addEventListener('message', onMessage);
}
