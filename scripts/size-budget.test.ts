import { describe, expect, it } from 'vitest';
import { eagerEditors, firstLoadChunks } from './size-budget.ts';

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

describe('eagerEditors', () => {
  it('names Monaco (its core chunk too) and xterm when they are part of the first load', () => {
    expect(
      eagerEditors([
        'assets/index-a1.js',
        'assets/editor.api-DuBXl90u.js',
        'assets/monaco-setup-x.js',
        'assets/xterm-y.js',
        'assets/base64-z.js',
      ]),
    ).toEqual(['assets/editor.api-DuBXl90u.js', 'assets/monaco-setup-x.js', 'assets/xterm-y.js']);
  });

  it('passes a first load without them', () => {
    expect(eagerEditors(['assets/index-a1.js', 'assets/index-client-b.js'])).toEqual([]);
  });
});
