/**
 * The engine's byte annotations (app/protocol/annotate.ts), for the views that draw a frame bit
 * by bit. A door of their own, beside lib/engine.ts: those views load on demand, and the
 * annotations with them rather than in the first load.
 */
export { annotateFrame, unmaskSteps, type Annotation, type UnmaskRow } from '../../protocol/annotate.ts';
