/** The colour theme: follows the system until the learner picks one, and remembers the pick. */

export type ThemeChoice = 'system' | 'light' | 'dark';
export const THEME_STORAGE_KEY = 'wsp.theme';
const CHOICES: readonly ThemeChoice[] = ['system', 'light', 'dark'];

function readChoice(storage: Storage | undefined): ThemeChoice {
  try {
    const saved = storage?.getItem(THEME_STORAGE_KEY);
    return CHOICES.includes(saved as ThemeChoice) ? (saved as ThemeChoice) : 'system';
  } catch {
    return 'system'; // storage can be disabled; the theme still works for this visit
  }
}

export class Theme {
  choice = $state<ThemeChoice>('system');
  #systemDark = $state(false);

  /** The theme actually shown. */
  readonly resolved = $derived<'light' | 'dark'>(
    this.choice === 'system' ? (this.#systemDark ? 'dark' : 'light') : this.choice,
  );

  constructor(private readonly win: Window = window) {
    this.choice = readChoice(this.storage);
    const query = win.matchMedia('(prefers-color-scheme: dark)');
    this.#systemDark = query.matches;
    query.addEventListener('change', (e) => (this.#systemDark = e.matches));
  }

  private get storage(): Storage | undefined {
    try {
      return this.win.localStorage;
    } catch {
      return undefined;
    }
  }

  set(choice: ThemeChoice): void {
    this.choice = choice;
    try {
      if (choice === 'system') this.storage?.removeItem(THEME_STORAGE_KEY);
      else this.storage?.setItem(THEME_STORAGE_KEY, choice);
    } catch {
      // Storage full or disabled: keep the choice for this visit only.
    }
  }

  /** Mirror the choice onto <html data-theme>; without it the CSS follows the system. */
  apply(root: HTMLElement = this.win.document.documentElement): void {
    if (this.choice === 'system') delete root.dataset.theme;
    else root.dataset.theme = this.choice;
  }
}
