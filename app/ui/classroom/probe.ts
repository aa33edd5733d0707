/**
 * Is this page served by a classroom server? One GET of `__classroom/info` beside the page, only
 * asked once the transport probe found our server. `classroom` answers `{"classroom":true}`;
 * `serve`, Vite and static hosts have no such file (an index.html fallback is not JSON), so the
 * answer there is no, and nothing is reported. Never throws.
 */
import { CLASSROOM_INFO_PATH } from '../../services/classroom-paths.ts';

export async function isClassroom(base: string = document.baseURI): Promise<boolean> {
  try {
    const r = await fetch(new URL('.' + CLASSROOM_INFO_PATH, base), { cache: 'no-store' });
    const json = r.ok && (r.headers.get('content-type') ?? '').includes('application/json');
    if (!json) {
      await r.arrayBuffer().catch(() => undefined);
      return false;
    }
    return ((await r.json()) as { classroom?: unknown }).classroom === true;
  } catch {
    return false;
  }
}

/** ws:// (wss:// on an https page) URL of a classroom path beside the page. */
export function classroomSocketUrl(path: string, base: string = document.baseURI): string {
  return new URL('.' + path, base).href.replace(/^http/, 'ws');
}
