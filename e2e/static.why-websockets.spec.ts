import { widgetCountsLive } from './why-websockets.ts';

widgetCountsLive('loopback');
