/**
 * The rooms inside run/ (src/run/README.md) are floors too: a room imports only the rooms below
 * it, and never the files at the top of run/ that compose the rooms — statically or with
 * import(). The file linted is a real one with code appended in memory; nothing on disk changes.
 */
import { expect } from 'chai';
import { lintWith } from './lint-kit.js';

const journal = 'src/run/record/journal.ts';

function importProblems(messages: string[]): string[] {
  return messages.filter((message) => /^no-restricted-(syntax|imports):/.test(message));
}

describe('lint holds the rooms of src/run/', function () {
  this.timeout(120_000);

  it('record/ importing judge/, a room above it, fails', async () => {
    const messages = await lintWith(journal, "export { judgeRun } from '../judge/judge-run.js';");
    expect(importProblems(messages)).to.deep.equal([
      "no-restricted-imports: '../judge/judge-run.js' import is restricted from being used by a pattern. src/run/record/ sits below run/judge/ (src/run/README.md): imports point down.",
    ]);
  });

  it('record/ importing a file at the top of run/ fails', async () => {
    const messages = await lintWith(journal, "export { openRun } from '../open-run.js';");
    expect(importProblems(messages)).to.deep.equal([
      "no-restricted-imports: '../open-run.js' import is restricted from being used by a pattern. src/run/record/ sits below the files at the top of src/run/ (src/run/README.md): imports point down.",
    ]);
  });

  it('the same two with import() fail too', async () => {
    const messages = await lintWith(
      journal,
      "export const judge = async () => import('../judge/judge-run.js');\nexport const open = async () => import('../open-run.js');",
    );
    expect(importProblems(messages)).to.deep.equal([
      'no-restricted-syntax: src/run/record/ sits below run/judge/ (src/run/README.md): imports point down.',
      'no-restricted-syntax: src/run/record/ sits below the files at the top of src/run/ (src/run/README.md): imports point down.',
    ]);
  });

  it('judge/ importing record/, a room below it, passes', async () => {
    const messages = await lintWith(
      'src/run/judge/judge-run.ts',
      "export { readJournal } from '../record/journal.js';",
    );
    expect(importProblems(messages)).to.deep.equal([]);
  });
});
