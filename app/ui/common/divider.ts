/**
 * A draggable divider between two panes (the WAI-ARIA window splitter): its value is the size of
 * the pane it resizes, in whole steps (rows of a list, or percent of a split). The keys move the
 * divider the way they point; `grows` says which way makes the pane bigger (a pane above or to
 * the left of the divider grows when the divider moves down or right; a pane below or to the
 * right of it shrinks).
 */
export interface DividerRange {
  min: number;
  max: number;
  /** Where the resized pane sits: above (left of) the divider, or below (right of) it. */
  pane: 'before-divider' | 'after-divider';
  orientation: 'horizontal' | 'vertical';
}

/** The value clamped to the range, rounded to a whole step. */
export function clampValue(value: number, range: Pick<DividerRange, 'min' | 'max'>): number {
  const max = Math.max(range.min, range.max);
  return Math.max(range.min, Math.min(max, Math.round(value)));
}

/** The value after a key press on the divider, or undefined when the key is not the divider's. */
export function valueForKey(key: string, value: number, range: DividerRange): number | undefined {
  const sign = range.pane === 'before-divider' ? 1 : -1;
  const [back, forward] =
    range.orientation === 'horizontal' ? ['ArrowUp', 'ArrowDown'] : ['ArrowLeft', 'ArrowRight'];
  if (key === forward) return clampValue(value + sign, range);
  if (key === back) return clampValue(value - sign, range);
  if (key === 'Home') return range.min;
  if (key === 'End') return Math.max(range.min, range.max);
  return undefined;
}

/** The value after dragging the divider by `moved` pixels (down or right positive), `stepPx` a step. */
export function valueForDrag(start: number, moved: number, stepPx: number, range: DividerRange): number {
  const sign = range.pane === 'before-divider' ? 1 : -1;
  return clampValue(start + (sign * moved) / stepPx, range);
}
