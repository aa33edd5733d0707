import { firstPageSpecs } from './first-page.ts';

// The build on a static host (loopback mode): the lazy parts are chunks of their own.
firstPageSpecs('loopback');
