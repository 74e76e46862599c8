import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exportSchema } from '../../src/cli/commands/schema.js';
import { ExitCode } from '../../src/errors/exit-codes.js';
import { projectRoot, runChaos } from '../support/cli.js';

const shipped = readdirSync(path.join(projectRoot, 'scenarios'))
  .filter((file) => file.endsWith('.yaml'))
  .map((file) => file.replace('.yaml', ''));

describe('the chaos CLI (built bin, real processes)', function () {
  // Each case starts Node processes; on a loaded two-core machine one start can take seconds.
  this.timeout(120_000);
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(path.join(tmpdir(), 'chaos-cli-'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('ships every scenario the foundation names', () => {
    expect(shipped).to.include.members([
      'frontend-zero',
      'frontend-zero-west',
      'istio-delay',
      'istio-abort',
      'drain-central',
      'pod-kill-frontend',
      'ledger-db-zero',
    ]);
  });

  it('chaos list names every shipped scenario', () => {
    const result = runChaos(['list']);
    expect(result.code).to.equal(ExitCode.passed);
    for (const name of shipped) expect(result.stdout).to.match(new RegExp(`^${name}\\s`, 'm'));
  });

  it('chaos list --output json gives each scenario with its expectation', () => {
    const rows = (
      JSON.parse(runChaos(['list', '--output', 'json']).stdout) as {
        scenarios: Array<{ name: string; valid: boolean; expect: string }>;
      }
    ).scenarios;
    expect(rows.find((row) => row.name === 'ledger-db-zero')).to.include({ valid: true, expect: 'fail' });
    expect(rows.every((row) => row.valid)).to.equal(true);
  });

  it('chaos validate scenarios/*.yaml exits 0', () => {
    const files = shipped.map((name) => `scenarios/${name}.yaml`);
    const result = runChaos(['validate', ...files]);
    expect(result.code, result.stderr).to.equal(ExitCode.passed);
    expect(result.stdout.match(/^ok /gm)).to.have.length(files.length);
  });

  it('chaos validate accepts the shipped environment file', () => {
    const result = runChaos(['validate', 'environments/bank-of-anthos-gke.yaml']);
    expect(result.code, result.stderr).to.equal(ExitCode.passed);
  });

  it('a scenario with an unknown key on line 5 exits with the invalid-input code and names the file and line 5', () => {
    const file = path.join(tmp, 'typo.yaml');
    writeFileSync(file, 'name: typo\ndescription: a typo\nload:\n  rate: 5\n  pathz: [/]\n');
    const result = runChaos(['validate', file]);
    expect(result.code).to.equal(ExitCode.invalidInput);
    expect(result.stderr).to.include(`${file}:5:3: load.pathz: unknown field "pathz"`);
    expect(result.stderr).to.include('did you mean `paths`?');
  });

  it('an unknown scenario name suggests the closest one', () => {
    const result = runChaos(['plan', 'frontend-zer']);
    expect(result.code).to.equal(ExitCode.invalidInput);
    expect(result.stderr).to.include('unknown scenario "frontend-zer"').and.to.include('did you mean `frontend-zero`?');
  });

  it('chaos plan frontend-zero shows frontend scaled to 0 in central and load to both lab ingresses', () => {
    const result = runChaos(['plan', 'frontend-zero']);
    expect(result.code, result.stderr).to.equal(ExitCode.passed);
    expect(result.stdout).to.match(
      /cluster central \(context lab-central\):\n(.*\n){2}\s+- record spec.replicas \(journal\), then ONE JSON patch of apps\/v1 deployments\/frontend in bank-of-anthos: test metadata.resourceVersion, .*replace spec.replicas → 0/,
    );
    expect(result.stdout).not.to.match(/cluster west/);
    expect(result.stdout).to.include(
      'ingress central: script load/bank-journeys.ts 15 iterations/s → http://127.0.0.11:8080',
    );
    expect(result.stdout).to.include(
      'ingress west: script load/bank-journeys.ts 15 iterations/s → http://127.0.0.12:8080',
    );
    expect(result.stdout).to.include("served by: the gateway's x-chaos-upstream-host header");
    expect(result.stdout).to.include('nothing was changed');
  });

  it('chaos plan --phase overrides a phase duration and refuses an unknown phase', () => {
    expect(runChaos(['plan', 'frontend-zero', '--phase', 'fault=5s']).stdout).to.include('phase fault (5s)');
    const bad = runChaos(['plan', 'frontend-zero', '--phase', 'faulty=5s']);
    expect(bad.code).to.equal(ExitCode.invalidInput);
    expect(bad.stderr).to.include('--phase names no phase of frontend-zero: faulty');
  });

  it('chaos plan against a non-lab environment shows the gateway Service discovery', () => {
    const result = runChaos(['plan', 'frontend-zero', '--env', 'bank-of-anthos-gke']);
    expect(result.code, result.stderr).to.equal(ExitCode.passed);
    expect(result.stdout).to.include('context gke_MY-PROJECT_us-central1_gke-central');
    expect(result.stdout).to.include('LoadBalancer address of Service asm-gateways/istio-ingressgateway');
  });

  it('chaos schema prints the JSON Schema that the shipped files reference, unchanged', () => {
    const result = runChaos(['schema']);
    expect(result.code).to.equal(ExitCode.passed);
    const schema = JSON.parse(result.stdout) as { $schema: string; properties: Record<string, unknown> };
    expect(schema.$schema).to.match(/json-schema.org/);
    expect(schema.properties).to.include.keys('load', 'faults', 'budgets', 'abort', 'expect', 'steps', 'phases');
    const committed = JSON.parse(
      readFileSync(path.join(projectRoot, 'schema/scenario.schema.json'), 'utf8'),
    ) as unknown;
    expect(
      committed,
      'schema/scenario.schema.json is stale: run `node bin/chaos.js schema > schema/scenario.schema.json`',
    ).to.deep.equal(exportSchema('scenario'));
    const env = JSON.parse(readFileSync(path.join(projectRoot, 'schema/environment.schema.json'), 'utf8')) as unknown;
    expect(env, 'schema/environment.schema.json is stale').to.deep.equal(exportSchema('environment'));
    for (const name of shipped) {
      expect(readFileSync(path.join(projectRoot, 'scenarios', `${name}.yaml`), 'utf8')).to.match(
        /^# yaml-language-server: \$schema=\.\.\/schema\/scenario\.schema\.json/,
      );
    }
  });

  it('--version prints the package version and --help lists only built commands', () => {
    const version = runChaos(['--version']);
    expect(version.code).to.equal(0);
    expect(version.stdout.trim()).to.match(/^\d+\.\d+\.\d+$/);
    const help = runChaos(['--help']).stdout;
    expect(help).to.include('validate').and.to.include('plan').and.to.include('schema');
    expect(help).not.to.match(/not implemented/i);
  });

  it('an unknown option is invalid input', () => {
    expect(runChaos(['plan', 'frontend-zero', '--nope']).code).to.equal(ExitCode.invalidInput);
  });
});
