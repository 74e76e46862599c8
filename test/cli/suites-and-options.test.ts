/** Suites are validated, planned and listed like scenarios; options and arguments go in any order. */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ExitCode } from '../../src/errors/exit-codes.js';
import { projectRoot, runChaos } from '../support/cli.js';

const nightly = readFileSync(path.join(projectRoot, 'suites/nightly.yaml'), 'utf8');
const nightlyScenarios = [...nightly.matchAll(/^ {2}- (\S+)$/gm)].map((match) => match[1]!);

describe('suites as first-class inputs, and options in any order', () => {
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(path.join(tmpdir(), 'chaos-suites-'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('chaos validate nightly and chaos validate suites/nightly.yaml accept the shipped suite', () => {
    for (const ref of ['nightly', 'suites/nightly.yaml']) {
      const result = runChaos(['validate', ref]);
      expect(result.code, result.stderr).to.equal(ExitCode.passed);
      expect(result.stdout).to.equal('ok  suites/nightly.yaml\n');
    }
  });

  it('a suite naming an unknown scenario is refused at that entry', () => {
    const file = path.join(tmp, 'bad-suite.yaml');
    writeFileSync(file, 'version: 1\nname: bad\ndescription: one bad entry\nscenarios:\n  - frontend-zero\n  - nope\n');
    const result = runChaos(['validate', file]);
    expect(result.code).to.equal(ExitCode.invalidInput);
    expect(result.stderr).to.include(`${file}:6:5: scenarios[1]: unknown scenario "nope"`);
  });

  it('chaos plan nightly prints the plan of every scenario of the suite, in order', () => {
    const result = runChaos(['plan', 'nightly']);
    expect(result.code, result.stderr).to.equal(ExitCode.passed);
    const planned = [...result.stdout.matchAll(/^scenario (\S+) \(/gm)].map((match) => match[1]);
    expect(planned).to.deep.equal(nightlyScenarios);
  });

  it('chaos list shows the suites beside the scenarios', () => {
    const result = runChaos(['list']);
    expect(result.stdout).to.match(new RegExp(`^nightly\\s+${nightlyScenarios.join(', ')}$`, 'm'));
  });

  it('chaos schema suite and chaos schema result print the committed schemas', () => {
    for (const kind of ['suite', 'result']) {
      const result = runChaos(['schema', kind]);
      expect(result.code, result.stderr).to.equal(ExitCode.passed);
      const committed = JSON.parse(readFileSync(path.join(projectRoot, `schema/${kind}.schema.json`), 'utf8'));
      expect(JSON.parse(result.stdout)).to.deep.equal(committed);
    }
    expect(runChaos(['schema', 'constructor']).code).to.equal(ExitCode.invalidInput);
  });

  it('chaos plan --phase fault=20s frontend-zero: an option before the argument does not swallow it', () => {
    const result = runChaos(['plan', '--phase', 'fault=20s', '--phase', 'recovery=5s', 'frontend-zero']);
    expect(result.code, result.stderr).to.equal(ExitCode.passed);
    expect(result.stdout).to.include('phase fault (20s)').and.to.include('phase recovery (5s)');
  });

  it('chaos run --phase before the scenario reaches the scenario (refused for its phase name, not a missing argument)', () => {
    const result = runChaos(['run', '--phase', 'nope=1s', 'frontend-zero', '--reports', tmp]);
    expect(result.code).to.equal(ExitCode.invalidInput);
    expect(result.stderr).to.include('--phase names no phase of frontend-zero: nope');
  });

  it('a YAML alias without its anchor is invalid input at the alias, never an internal error', () => {
    const file = path.join(tmp, 'alias.yaml');
    writeFileSync(file, 'version: 1\nload: *nope\n');
    const result = runChaos(['validate', file]);
    expect(result.code).to.equal(ExitCode.invalidInput);
    expect(result.stderr).to.include(`${file}:2:7:`).and.not.to.include('internal error');
  });
});
