import { test } from '@playwright/test';
import { firstPageSpecs } from './first-page.ts';

// The build on a static host (loopback mode): the lazy parts are chunks of their own. The
// offline service worker precaches every chunk after the first load and would answer a chunk
// these specs make fail: what the page itself asks for is measured without it
// (static.offline.spec.ts covers the worker).
test.use({ serviceWorkers: 'block' });
firstPageSpecs('loopback');
