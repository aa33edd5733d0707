/** The app's resolved colour scheme and token colours, for Monaco and xterm (they need hex). */

export type Scheme = 'light' | 'dark';

export function currentScheme(doc: Document = document): Scheme {
  const chosen = doc.documentElement.dataset.theme;
  if (chosen === 'light' || chosen === 'dark') return chosen;
  return doc.defaultView?.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

/** Calls `fn` when the scheme may have changed (data-theme or the system's); returns stop. */
export function watchScheme(fn: (scheme: Scheme) => void, doc: Document = document): () => void {
  const media = doc.defaultView?.matchMedia('(prefers-color-scheme: dark)');
  const notify = (): void => fn(currentScheme(doc));
  const observer = new MutationObserver(notify);
  observer.observe(doc.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  media?.addEventListener('change', notify);
  return () => {
    observer.disconnect();
    media?.removeEventListener('change', notify);
  };
}

/** A token such as '--surface' resolved to #rrggbb (light-dark() and all). */
export function tokenColor(name: string, doc: Document = document): string {
  const probe = doc.createElement('span');
  probe.style.cssText = `position:absolute;visibility:hidden;color:var(${name})`;
  doc.body.append(probe);
  const rgb = getComputedStyle(probe).color;
  probe.remove();
  const m = /rgba?\((\d+)[ ,]+(\d+)[ ,]+(\d+)/.exec(rgb);
  if (!m) return '#000000';
  return '#' + [m[1], m[2], m[3]].map((v) => Number(v).toString(16).padStart(2, '0')).join('');
}
