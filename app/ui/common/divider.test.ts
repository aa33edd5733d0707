import { describe, expect, it } from 'vitest';
import { clampValue, valueForDrag, valueForKey, type DividerRange } from './divider.ts';

const above: DividerRange = { min: 2, max: 10, pane: 'before-divider', orientation: 'horizontal' };
const below: DividerRange = { ...above, pane: 'after-divider' };
const left: DividerRange = { min: 20, max: 80, pane: 'before-divider', orientation: 'vertical' };

describe('divider', () => {
  it('moves the way the key points: down grows a pane above the divider and shrinks one below it', () => {
    expect(valueForKey('ArrowDown', 5, above)).toBe(6);
    expect(valueForKey('ArrowUp', 5, above)).toBe(4);
    expect(valueForKey('ArrowDown', 5, below)).toBe(4);
    expect(valueForKey('ArrowUp', 5, below)).toBe(6);
  });

  it('a vertical divider answers Left and Right, not Up and Down', () => {
    expect(valueForKey('ArrowRight', 50, left)).toBe(51);
    expect(valueForKey('ArrowLeft', 50, left)).toBe(49);
    expect(valueForKey('ArrowDown', 50, left)).toBeUndefined();
    expect(valueForKey('ArrowRight', 5, above)).toBeUndefined();
  });

  it('Home and End give the smallest and the largest pane; other keys are not the divider’s', () => {
    expect(valueForKey('Home', 5, below)).toBe(2);
    expect(valueForKey('End', 5, below)).toBe(10);
    expect(valueForKey('Enter', 5, below)).toBeUndefined();
  });

  it('never leaves the range, and a range whose max fell under its min holds at the min', () => {
    expect(valueForKey('ArrowDown', 10, above)).toBe(10);
    expect(valueForKey('ArrowUp', 2, above)).toBe(2);
    expect(clampValue(7, { min: 4, max: 1 })).toBe(4);
    expect(valueForKey('End', 5, { ...above, max: 1 })).toBe(2);
  });

  it('a drag moves by whole steps, in the direction of the pane', () => {
    expect(valueForDrag(5, 52, 26, above)).toBe(7);
    expect(valueForDrag(5, 52, 26, below)).toBe(3);
    expect(valueForDrag(5, -1000, 26, above)).toBe(2);
    expect(valueForDrag(5, 10, 26, below)).toBe(5);
  });
});
