/**
 * CI meets the project the way a new user does: .ci/run runs the README's two quick-start commands
 * as scripts/readme-commands.js reads them from README.md (first the first command, with its run
 * folder checked for report.html and summary.md, then the test command), and the test command runs
 * the one script that installs what the tests need from the system. If .ci/run ever spelled a
 * command of its own again, or the README's block lost a command, this fails.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const script = 'scripts/readme-commands.js';

function commandOf(which: string, readme?: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [script, which, ...(readme ? [readme] : [])], { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout.trim(), stderr: result.stderr };
}

describe('.ci/run and the README quick start', () => {
  const ci = readFileSync('.ci/run', 'utf8');
  const runLines = ci.split('\n').filter((line) => !line.trimStart().startsWith('#'));

  it('the README gives two commands: npm ci then chaos run, and the prerequisites script then npm test', () => {
    expect(commandOf('first')).to.include({ status: 0, stdout: 'npm ci && npx chaos run frontend-zero' });
    expect(commandOf('test')).to.include({ status: 0, stdout: 'bash scripts/test-prerequisites.sh && npm test' });
  });

  it('.ci/run takes both commands from the README and runs the first before the tests', () => {
    const first = runLines.findIndex((line) => line.includes('bash -euo pipefail -c "$first"'));
    const tests = runLines.findIndex((line) => line.includes('bash -euo pipefail -c "$tests"'));
    expect(ci).to.include('first=$(node scripts/readme-commands.js first)');
    expect(ci).to.include('tests=$(node scripts/readme-commands.js test)');
    expect(first, 'runs the first command').to.be.greaterThan(0);
    expect(tests, 'runs the test command after the first').to.be.greaterThan(first);
    const check = runLines.findIndex((line) => line.includes('for file in report.html summary.md'));
    expect(check, 'checks the run folder between the two').to.be.within(first + 1, tests - 1);
  });

  it('.ci/run names no npm or test command of its own (only the README says what runs)', () => {
    for (const own of ['npm ci', 'npm test', 'npm run', 'apt-get', 'build-kube-tools', 'chaos setup']) {
      expect(
        runLines.filter((line) => line.includes(own)),
        own,
      ).to.deep.equal([]);
    }
  });

  it('the test-prerequisites script covers every system tool the tests drive', () => {
    const prerequisites = readFileSync('scripts/test-prerequisites.sh', 'utf8');
    for (const tool of ['chromium', 'xmllint', 'libxml2-utils', 'tmux', 'build-kube-tools.sh']) {
      expect(prerequisites, tool).to.include(tool);
    }
  });

  describe('reading a README', () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'chaos-readme-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    const write = (name: string, text: string): string => {
      const file = path.join(dir, name);
      writeFileSync(file, text);
      return file;
    };

    it('strips trailing comments and skips comment lines', () => {
      const file = write(
        'ok.md',
        '# x\n\n## Quick start\n\nsome words\n\n```sh\n# setup\nnpm ci   # install\nnpm test\n```\n\n## Next\n',
      );
      expect(commandOf('first', file)).to.include({ status: 0, stdout: 'npm ci' });
      expect(commandOf('test', file)).to.include({ status: 0, stdout: 'npm test' });
    });

    it('refuses a quick start with one command, naming the file', () => {
      const file = write('one.md', '## Quick start\n\n```sh\nnpm ci\n```\n');
      const result = commandOf('first', file);
      expect(result.status).to.equal(1);
      expect(result.stderr).to.include(file).and.include('has 1 commands; expected two');
    });

    it('refuses a README without the heading or its block', () => {
      expect(commandOf('first', write('none.md', '# nothing\n')).stderr).to.include('no "## Quick start" heading');
      const later = write('later.md', '## Quick start\n\nwords\n\n## Other\n\n```sh\nnpm ci\n```\n');
      expect(commandOf('first', later).stderr).to.include('has no ```sh block');
    });

    it('refuses an unknown command name with exit 2', () => {
      expect(commandOf('second').status).to.equal(2);
    });
  });
});
