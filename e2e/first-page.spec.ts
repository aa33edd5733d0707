import { firstPageSpecs } from './first-page.ts';

// The dev server (server mode): modules load by path, so the lazy parts are seen by file name.
firstPageSpecs('server');
