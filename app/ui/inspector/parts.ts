/**
 * The inspector's views that the first screen does not show, each loaded on demand: the bit
 * view once a frame is picked, the handshake and paste-and-decode once their tab is opened, the
 * inflater once a compressed connection is shown.
 * One LazyPart each for the page, so a view loads once however often it is shown.
 */
import { LazyPart } from '../lib/lazy-part.svelte.ts';

export const frameDetail = new LazyPart('The bit view', () => import('./FrameDetail.svelte'));
export const handshakeView = new LazyPart('The handshake view', () => import('./HandshakeView.svelte'));
export const pasteDecode = new LazyPart('Paste & decode', () => import('./PasteDecode.svelte'));
/** The frame list's inflated lines, once a connection that agreed permessage-deflate is shown. */
export const inflatedLines = new LazyPart('The inflater', () =>
  import('./inflated-summary.ts').then(async (m) => (await m.ready(), m)),
);
