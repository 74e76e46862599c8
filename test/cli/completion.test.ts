/**
 * Shell completion: the bash script is loaded into a real bash and asked for completions the way
 * bash asks (COMP_WORDS / COMP_CWORD), with `chaos` on PATH as the built CLI. Names come from the
 * current folder's scenarios/, suites/ and environments/ and from the shipped ones.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ExitCode } from '../../src/errors/exit-codes.js';
import { projectRoot, runChaos } from '../support/cli.js';

const shipped = (folder: string) =>
  readdirSync(path.join(projectRoot, folder))
    .filter((file) => file.endsWith('.yaml'))
    .map((file) => file.replace(/\.yaml$/, ''));

describe('shell completion', () => {
  let tmp: string;
  let work: string;
  let bin: string;
  before(() => {
    tmp = mkdtempSync(path.join(tmpdir(), 'chaos-completion-'));
    bin = path.join(tmp, 'bin');
    mkdirSync(bin);
    writeFileSync(
      path.join(bin, 'chaos'),
      `#!/bin/sh\nexec "${process.execPath}" "${path.join(projectRoot, 'bin/chaos.js')}" "$@"\n`,
    );
    chmodSync(path.join(bin, 'chaos'), 0o755);
    work = path.join(tmp, 'work');
    mkdirSync(path.join(work, 'scenarios'), { recursive: true });
    mkdirSync(path.join(work, 'environments'), { recursive: true });
    writeFileSync(path.join(work, 'scenarios', 'my-own-check.yaml'), 'name: my-own-check\n');
    writeFileSync(path.join(work, 'environments', 'staging.yaml'), 'name: staging\n');
    writeFileSync(path.join(tmp, 'chaos.bash'), runChaos(['completion', 'bash']).stdout);
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  /** What bash completes for the words typed so far (the last one is being completed). */
  const complete = (...words: string[]): string[] => {
    const quoted = words.map((word) => `'${word}'`).join(' ');
    const script = `source '${path.join(tmp, 'chaos.bash')}'; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _chaos; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const result = spawnSync('bash', ['--norc', '--noprofile', '-c', script], {
      cwd: work,
      env: { PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`, HOME: tmp },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status, result.stderr).to.equal(0);
    return result.stdout.split('\n').filter(Boolean).sort();
  };

  it('completes commands, and each command’s options', () => {
    expect(complete('chaos', 're')).to.deep.equal(['recover', 'report']);
    expect(complete('chaos', 'run', '--ou')).to.deep.equal(['--output']);
    expect(complete('chaos', 'plan', '--output', '')).to.deep.equal(['json', 'text']);
    expect(complete('chaos', 'completion', '')).to.deep.equal(['bash', 'fish', 'zsh']);
  });

  it('completes scenario and suite names, the current folder’s and the shipped ones', () => {
    expect(complete('chaos', 'run', 'frontend-z')).to.deep.equal(
      shipped('scenarios')
        .filter((name) => name.startsWith('frontend-z'))
        .sort(),
    );
    expect(complete('chaos', 'plan', 'nigh')).to.deep.equal(['nightly']);
    expect(complete('chaos', 'validate', 'my-')).to.deep.equal(['my-own-check']);
  });

  it('completes environment names after --env: lab, the current folder’s and the shipped ones', () => {
    expect(complete('chaos', 'run', 'frontend-zero', '--env', '')).to.deep.equal(
      ['lab', 'staging', ...shipped('environments')].sort(),
    );
  });

  it('zsh and fish scripts register the same commands and ask chaos for names; an unknown shell is refused', () => {
    const zsh = runChaos(['completion', 'zsh']).stdout;
    expect(zsh)
      .to.match(/^#compdef chaos$/m)
      .and.to.include('compdef _chaos chaos');
    expect(zsh).to.include('chaos __names targets').and.to.include('chaos __names environments');
    const fish = runChaos(['completion', 'fish']).stdout;
    expect(fish).to.include('complete -c chaos -n __fish_use_subcommand -a "list validate init plan');
    expect(fish).to.include('-l env -x -a "(chaos __names environments 2>/dev/null)"');
    expect(runChaos(['completion', 'ksh']).code).to.equal(ExitCode.invalidInput);
  });
});
