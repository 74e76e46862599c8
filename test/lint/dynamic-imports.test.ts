/**
 * `import()` is held to the floors like a static import: one pointing up a floor fails, and so
 * does one whose path is not a literal (lint could not see where it points). The file linted is a
 * real one with code appended in memory; nothing on disk changes.
 */
import { expect } from 'chai';
import { lintWith } from './lint-kit.js';

function importProblems(messages: string[]): string[] {
  return messages.filter((message) => /^no-restricted-(syntax|imports):/.test(message));
}

describe('lint holds import() to the floors of src/', function () {
  this.timeout(120_000);

  it('an import() pointing up a floor fails (errors/ loading cli/main.js)', async () => {
    const messages = await lintWith('src/errors/errors.ts', "export const cli = await import('../cli/main.js');");
    expect(importProblems(messages)).to.deep.equal([
      'no-restricted-syntax: src/errors/ sits below src/cli/ (src/README.md): imports point down, never up.',
    ]);
  });

  it('an import() pointing down a floor passes (play/ loading report/)', async () => {
    const messages = await lintWith(
      'src/play/recover.ts',
      "export const render = async () => import('../report/render-plan.js');",
    );
    expect(importProblems(messages)).to.deep.equal([]);
  });

  it('an import() of a path that is not a literal fails', async () => {
    const messages = await lintWith(
      'src/errors/errors.ts',
      'export const load = async (name: string): Promise<unknown> => import(name);',
    );
    expect(importProblems(messages)).to.deep.equal([
      'no-restricted-syntax: import() takes a literal path, so lint can see it.',
    ]);
  });

  it('a template literal is no literal either', async () => {
    const messages = await lintWith(
      'src/errors/errors.ts',
      'export const load = async (name: string): Promise<unknown> => import(`../${name}/main.js`);',
    );
    expect(importProblems(messages)).to.deep.equal([
      'no-restricted-syntax: import() takes a literal path, so lint can see it.',
    ]);
  });
});
