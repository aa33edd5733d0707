/**
 * The lessons on the static build (loopback mode: no server at all): every lesson's walkthrough
 * on the in-page network, as a learner on a static host walks it.
 */
import { everyLessonPlays } from './lesson-helpers.ts';

everyLessonPlays('loopback');
