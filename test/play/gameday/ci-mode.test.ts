/**
 * CI mode (CI=true, or no terminal): chaos never asks and never waits for a terminal. A game day
 * is refused at once with the invalid-input code and a pointer to `chaos run`, also when a
 * terminal is there but CI=true says nobody watches it.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ExitCode } from '../../../src/errors/exit-codes.js';
import { projectRoot, runChaos } from '../../support/cli.js';

const scenario = path.join(projectRoot, 'test/play/gameday/fixtures/gameday-steps.yaml');

describe('CI mode: never asks, plain text', function () {
  this.timeout(60_000);

  it('without a terminal, chaos gameday is refused at once, in plain text', () => {
    const result = runChaos(['gameday', scenario], { env: { CI: '' } });
    expect(result.code).to.equal(ExitCode.invalidInput);
    expect(result.stderr).to.include('a game day needs an interactive terminal').and.to.include('in CI use chaos run');
    expect(result.stdout + result.stderr).not.to.match(/\x1b/);
  });

  it('chaos run --interactive is the same game day, refused the same way', () => {
    const result = runChaos(['run', '--interactive', scenario], { env: { CI: 'true' } });
    expect(result.code).to.equal(ExitCode.invalidInput);
    expect(result.stderr).to.include('a game day needs an interactive terminal');
  });

  it('in a real terminal with CI=true it is refused too (tmux)', async () => {
    const socket = `chaos-ci-${process.pid}`;
    const tmux = (...args: string[]) =>
      spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', timeout: 10_000 });
    const started = tmux(
      'new-session',
      '-d',
      '-s',
      'ci',
      '-x',
      '120',
      '-y',
      '20',
      `env CI=true node ${path.join(projectRoot, 'bin/chaos.js')} gameday ${scenario}; echo CHAOS_EXIT=$?; sleep 60`,
    );
    expect(started.error, 'tmux is needed for this test (apt-get install -y tmux)').to.equal(undefined);
    try {
      let text = '';
      for (let waited = 0; waited < 30_000 && !/CHAOS_EXIT=/.test(text); waited += 200) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        text = tmux('capture-pane', '-p', '-t', 'ci').stdout;
      }
      expect(text).to.include('CHAOS_EXIT=2');
      expect(text).to.include('a game day needs an interactive terminal');
    } finally {
      tmux('kill-server');
    }
  });
});
