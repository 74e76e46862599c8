/**
 * The floors of src/README.md are held by lint: a deliberately bad import (one pointing up a
 * floor, one making a cycle, one into cli/) fails `eslint`, and the real files pass.
 */
import { expect } from 'chai';
import { lintWith } from './lint-kit.js';

describe('lint holds the floors of src/', function () {
  this.timeout(120_000);

  it('the files as they are pass', async () => {
    expect(await lintWith('src/run/session/fault-session-records.ts', '')).to.deep.equal([]);
  });

  it('an import pointing up a floor fails (errors/ importing run/)', async () => {
    const messages = await lintWith('src/errors/errors.ts', "export { executeRun } from '../run/execute-run.js';");
    expect(messages.join('\n')).to.match(/no-restricted-imports: .*src\/errors\/ sits below src\/run\//);
  });

  it('an import of cli/ from anywhere else fails', async () => {
    const messages = await lintWith('src/play/suite/run-batch.ts', "export { main } from '../../cli/main.js';");
    expect(messages.join('\n')).to.match(/no-restricted-imports: .*src\/play\/ sits below src\/cli\//);
  });

  it('a cycle between two files of one folder fails', async () => {
    // fault-session.ts imports fault-session-records.ts; importing it back closes a cycle.
    const messages = await lintWith(
      'src/run/session/fault-session-records.ts',
      "import { createFaultSession } from './fault-session.js';\nexport const again = createFaultSession;",
    );
    expect(messages.join('\n')).to.match(/import-x\/no-cycle: Dependency cycle detected/);
  });
});
