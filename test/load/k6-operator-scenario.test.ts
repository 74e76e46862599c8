/** `load.runner: k6-operator` in the scenario format: normalized, and misplaced settings reported with positions. */
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ExitCode } from '../../src/errors/exit-codes.js';
import { runChaos } from '../support/cli.js';
import { InputError, formatIssue } from '../../src/errors/errors.js';
import { validateScenario } from '../../src/scenario/validate-scenario.js';
import { parseYamlSource } from '../../src/input/yaml-source.js';

const environment = { name: 'lab', clusters: ['central', 'west'] };
const scenario = (load: string) =>
  `name: big\ndescription: a lot of load\nload:\n${load}\nfaults: []\nbudgets: { all: { http_req_failed: rate<0.01 } }\n`;

function issuesOf(text: string): string[] {
  try {
    validateScenario(parseYamlSource('big.yaml', text), environment);
  } catch (error) {
    if (error instanceof InputError) return error.issues.map(formatIssue);
    throw error;
  }
  return [];
}

describe('scenario format: load.runner', () => {
  it('defaults to a local k6 (no runner in the model, so local results are unchanged)', () => {
    const parsed = validateScenario(parseYamlSource('big.yaml', scenario('  rate: 10')), environment);
    expect(parsed.load.runner).to.equal(undefined);
  });

  it('k6-operator takes parallelism and where the TestRun goes', () => {
    const parsed = validateScenario(
      parseYamlSource(
        'big.yaml',
        scenario(
          '  rate: 2000\n  runner: k6-operator\n  parallelism: 4\n  operator: { cluster: west, namespace: chaos-load, image: registry.example/k6:2.2.0 }',
        ),
      ),
      environment,
    );
    expect(parsed.load.runner).to.deep.equal({
      kind: 'k6-operator',
      parallelism: 4,
      cluster: 'west',
      namespace: 'chaos-load',
      image: 'registry.example/k6:2.2.0',
      serviceAccount: undefined,
    });
  });

  it('parallelism 1 when not given', () => {
    const parsed = validateScenario(
      parseYamlSource('big.yaml', scenario('  rate: 20\n  runner: k6-operator')),
      environment,
    );
    expect(parsed.load.runner?.parallelism).to.equal(1);
  });

  it('reports parallelism without the k6-operator runner, an unknown runner and an unknown cluster, all at once', () => {
    expect(issuesOf(scenario('  rate: 20\n  parallelism: 4'))).to.deep.equal([
      'big.yaml:5:3: load.parallelism: parallelism applies only with runner: k6-operator\n    hint: add `runner: k6-operator`, or remove this field',
    ]);
    const issues = issuesOf(scenario('  rate: 20\n  runner: k8s\n  parallelism: 0\n  operator: { cluster: east }'));
    expect(issues.join('\n'))
      .to.include('load.runner: expected local (k6 on this machine) or k6-operator (a TestRun in a cluster)')
      .and.to.include('load.parallelism: expected a whole number of runner Pods, 1 or more')
      .and.to.include('load.operator.cluster: unknown cluster "east"');
  });

  it("is refused on the lab, before anything starts: runner Pods cannot reach this machine's loopback", () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chaos-operator-lab-'));
    try {
      writeFileSync(path.join(dir, 'big.yaml'), scenario('  rate: 20\n  runner: k6-operator\n  parallelism: 2'));
      const result = runChaos(['run', 'big.yaml', '--reports', 'reports'], { cwd: dir });
      expect(result.code, result.stderr).to.equal(ExitCode.invalidInput);
      expect(result.stderr).to.include('load.runner k6-operator needs a real cluster');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
