/**
 * `use:reveal={selected}`: scrolls the element into view (the nearest edge, no jump) whenever
 * `selected` becomes true. Tabs in a row that overflows keep the active one visible.
 */
export function reveal(node: HTMLElement, selected: boolean): { update(selected: boolean): void } {
  const show = (on: boolean): void => {
    if (on && typeof node.scrollIntoView === 'function')
      requestAnimationFrame(() => node.scrollIntoView({ block: 'nearest', inline: 'nearest' }));
  };
  show(selected);
  return {
    update(next: boolean) {
      show(next);
    },
  };
}
