import { describe, expect, it } from 'vitest';
import { firstLoadChunks } from './size-budget.ts';

describe('firstLoadChunks', () => {
  it('follows static imports from the entry and leaves dynamic imports out', () => {
    const manifest = {
      'index.html': {
        file: 'assets/index.js',
        isEntry: true,
        imports: ['_shared.js'],
        dynamicImports: ['editor'],
      },
      '_shared.js': { file: 'assets/shared.js', imports: ['index.html'] },
      editor: { file: 'assets/monaco.js', imports: ['_shared.js'] },
      'style.css': { file: 'assets/style.css' },
    };
    expect(firstLoadChunks(manifest).sort()).toEqual(['assets/index.js', 'assets/shared.js']);
  });
});
