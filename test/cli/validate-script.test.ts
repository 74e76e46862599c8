/**
 * `chaos validate` on a scenario with a k6 script of its own: tsc's errors come back as
 * file:line:col and the invalid-input exit code; a missing context of --env is named.
 */
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runChaos } from '../support/cli.js';
import { ExitCode } from '../../src/errors/exit-codes.js';

describe('chaos validate with a user script (built bin)', function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'chaos-validate-script-'));
    mkdirSync(path.join(dir, 'load'));
    writeFileSync(
      path.join(dir, 's.yaml'),
      'name: s\ndescription: a journey\nload:\n  rate: 1\n  script: ./load/journey.ts\nbudgets:\n  all:\n    checks: rate>0.9\n',
    );
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a type error fails validation with its file, line and column', () => {
    writeFileSync(
      path.join(dir, 'load', 'journey.ts'),
      "import { check } from 'k6';\nimport { http } from 'chaos/k6';\n\nexport default function (): void {\n  check(http.get(42), { ok: (r) => r.status === 200 });\n}\n",
    );
    const result = runChaos(['validate', path.join(dir, 's.yaml')], { cwd: dir });
    expect(result.code).to.equal(ExitCode.invalidInput);
    expect(result.stderr).to.match(/load\/journey\.ts:5:18: load\.script: TS2345: Argument of type 'number'/);
  });

  it('a script that type-checks passes', () => {
    writeFileSync(
      path.join(dir, 'load', 'journey.ts'),
      "import { check } from 'k6';\nimport { http } from 'chaos/k6';\n\nexport default function (): void {\n  check(http.get('/'), { ok: (r) => r.status === 200 });\n}\n",
    );
    const result = runChaos(['validate', path.join(dir, 's.yaml')], { cwd: dir });
    expect(result.code, result.stderr).to.equal(ExitCode.passed);
  });

  it('--env names every context its kubeconfig lacks', () => {
    writeFileSync(
      path.join(dir, 'kubeconfig'),
      'apiVersion: v1\nkind: Config\nclusters: []\nusers: []\ncontexts: []\n',
    );
    writeFileSync(
      path.join(dir, 'env.yaml'),
      [
        'name: two',
        'namespace: bank',
        'kubeconfig: ./kubeconfig',
        'clusters:',
        '  central: { context: gke-central, ingress: { url: "http://127.0.0.1:1" } }',
        '  west: { context: gke-west, ingress: { url: "http://127.0.0.1:2" } }',
      ].join('\n'),
    );
    writeFileSync(path.join(dir, 'load', 'journey.ts'), 'export default function (): void {}\n');
    const result = runChaos(['validate', path.join(dir, 's.yaml'), '--env', path.join(dir, 'env.yaml')], { cwd: dir });
    expect(result.code).to.equal(ExitCode.invalidInput);
    expect(result.stderr).to.include('context "gke-central" of cluster central is not in kubeconfig');
    expect(result.stderr).to.include('context "gke-west" of cluster west is not in kubeconfig');
  });
});
