/**
 * The site's sub-path, as both transports strip it before routing (a site served under
 * `/playground/` has its /echo at `/playground/echo`). Vite's relative base ('./'), '', '/' and
 * anything not absolute mean the root.
 */

/** '/playground/' -> '/playground'; the root -> '/'. */
export function normaliseBase(base: string | undefined): string {
  if (!base || !base.startsWith('/') || base === '/') return '/';
  return base.endsWith('/') ? base.slice(0, -1) : base;
}
