/**
 * The classroom's paths, hosted only by `classroom` (app/server/classroom.ts). A file of its own
 * so the page's probe (app/ui/classroom/probe.ts, part of the first load) carries nothing else.
 */
export const CLASSROOM_PATH = '/__classroom';
export const DASHBOARD_PATH = '/__classroom/dashboard';
/** Plain HTTP: answers `{"classroom":true}` on a classroom server (the page's probe). */
export const CLASSROOM_INFO_PATH = '/__classroom/info';
