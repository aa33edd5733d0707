/**
 * The text size: normal, large, or projector (read from the back of a room). It scales every
 * type token (global.css: font sizes are rem, the root's size is 15 px x --text-scale) and the
 * row heights of the virtual lists (rowPx), and is remembered.
 */
export type TextSizeChoice = 'normal' | 'large' | 'projector';
export const TEXT_SIZE_STORAGE_KEY = 'wsp.textSize';
export const TEXT_SCALES: Readonly<Record<TextSizeChoice, number>> = {
  normal: 1,
  large: 1.2,
  projector: 1.45,
};

function read(storage: Storage | undefined): TextSizeChoice {
  try {
    const saved = storage?.getItem(TEXT_SIZE_STORAGE_KEY);
    return saved === 'large' || saved === 'projector' ? saved : 'normal';
  } catch {
    return 'normal';
  }
}

export class TextSize {
  choice = $state<TextSizeChoice>('normal');
  readonly scale = $derived(TEXT_SCALES[this.choice]);
  readonly #storage: Storage | undefined;

  constructor(storage?: Storage) {
    this.#storage = storage;
    this.choice = read(storage);
  }

  set(choice: TextSizeChoice): void {
    this.choice = choice;
    try {
      if (choice === 'normal') this.#storage?.removeItem(TEXT_SIZE_STORAGE_KEY);
      else this.#storage?.setItem(TEXT_SIZE_STORAGE_KEY, choice);
    } catch {
      // storage disabled: the choice holds for this visit
    }
  }

  /** A row height in CSS pixels, for a row designed at `base` px on the normal size. */
  rowPx(base: number): number {
    return Math.round(base * this.scale);
  }

  /** Sets --text-scale (the type tokens) and data-text-size (layouts that need more room). */
  apply(root: HTMLElement): void {
    if (this.scale === 1) {
      root.style.removeProperty('--text-scale');
      delete root.dataset.textSize;
    } else {
      root.style.setProperty('--text-scale', String(this.scale));
      root.dataset.textSize = this.choice;
    }
  }
}

let page: TextSize | undefined;

/** The page's one text-size setting. */
export function getTextSize(): TextSize {
  if (!page) {
    let storage: Storage | undefined;
    try {
      storage = typeof localStorage === 'undefined' ? undefined : localStorage;
    } catch {
      storage = undefined;
    }
    page = new TextSize(storage);
  }
  return page;
}
