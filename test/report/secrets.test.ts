/**
 * End to end (real k6, a lab this process runs): `chaos run a b` with a kubeconfig full of
 * recognisable secrets writes every report — per run and combined — and not one file under
 * reports/ contains a token, a client key or certificate, the CA data or an API server address.
 * The batch's exit code is the failing first scenario's, not the passing last one's; the
 * combined JUnit validates; `chaos report` re-renders every folder byte for byte.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { ExitCode } from '../../src/errors/exit-codes.js';
import { startLab, writeLabState, type RunningLab } from '../../src/lab/index.js';
import { projectRoot, runChaosAsync } from '../support/cli.js';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const decoys = {
  token: 'SECRET-TOKEN-1234',
  password: 'SECRET-PASSWORD-7890',
  clientKey: '-----BEGIN EC PRIVATE KEY-----\nSECRET-CLIENT-KEY-3456\n-----END EC PRIVATE KEY-----\n',
  clientCert: '-----BEGIN CERTIFICATE-----\nSECRET-CLIENT-CERT-9012\n-----END CERTIFICATE-----\n',
  caData: '-----BEGIN CERTIFICATE-----\nSECRET-CA-DATA-5678\n-----END CERTIFICATE-----\n',
  accessToken: 'SECRET-ACCESS-TOKEN-2468',
};

interface Kubeconfig {
  clusters: unknown[];
  users: Array<{ name: string; user: Record<string, unknown> }>;
  contexts: unknown[];
}

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? filesUnder(file) : [file];
  });
}

describe('reports never hold credentials; a batch of two (real k6, lab in this process)', function () {
  this.timeout(300_000);
  let lab: RunningLab;
  let cwd: string;
  const secrets: Record<string, string> = {};

  before(async () => {
    cwd = mkdtempSync(path.join(tmpdir(), 'chaos-secrets-'));
    lab = await startLab({ ingressPort: 0 }); // free ports: beside other tests and a developer's lab
    const state = await writeLabState(path.join(cwd, '.chaos/lab'), lab);
    // The lab's own user stays as it is (the runs must work); decoys sit beside it, unused.
    const config = parse(readFileSync(state.kubeconfig, 'utf8')) as Kubeconfig;
    config.clusters.push({
      name: 'decoy-prod',
      cluster: { server: 'https://10.99.0.1:6443', 'certificate-authority-data': b64(decoys.caData) },
    });
    config.users.push(
      {
        name: 'decoy-admin',
        user: {
          token: decoys.token,
          'client-certificate-data': b64(decoys.clientCert),
          'client-key-data': b64(decoys.clientKey),
        },
      },
      { name: 'decoy-basic', user: { username: 'decoy', password: decoys.password } },
      {
        name: 'decoy-oidc',
        user: {
          'auth-provider': {
            name: 'oidc',
            config: { 'id-token': decoys.accessToken, 'refresh-token': decoys.accessToken },
          },
        },
      },
    );
    config.contexts.push({ name: 'decoy', context: { cluster: 'decoy-prod', user: 'decoy-admin' } });
    writeFileSync(state.kubeconfig, stringify(config), { mode: 0o600 });
    Object.assign(secrets, {
      'decoy token': decoys.token,
      'decoy password': decoys.password,
      'decoy access token': decoys.accessToken,
      'decoy client key (base64)': b64(decoys.clientKey),
      'decoy client key': 'SECRET-CLIENT-KEY-3456',
      'decoy client certificate (base64)': b64(decoys.clientCert),
      'decoy client certificate': 'SECRET-CLIENT-CERT-9012',
      'decoy CA data (base64)': b64(decoys.caData),
      'decoy CA data': 'SECRET-CA-DATA-5678',
      'decoy API server': '10.99.0.1',
      'the lab token': lab.token,
      'the lab CA (base64)': b64(lab.caPem),
      'the lab CA certificate body': lab.caPem.split('\n').slice(1, 3).join('\n'),
    });
    for (const cluster of lab.clusters)
      secrets[`the ${cluster.name} API server`] = cluster.apiUrl.replace(/^https:\/\//, '');
  });
  after(async () => {
    await lab?.stop();
    if (cwd) rmSync(cwd, { recursive: true, force: true });
  });

  it('runs both, writes every report, exit code 1 (the first failed, the last passed), and no file holds a secret', async () => {
    const scenarios = ['breach-central', 'steady'].map((name) =>
      path.join(projectRoot, 'test/fixtures/run/scenarios', `${name}.yaml`),
    );
    const run = await runChaosAsync(['run', ...scenarios, '--reports', 'reports'], { cwd, timeoutMs: 240_000 });
    const output = run.stdout + run.stderr;
    expect(run.code, output).to.equal(ExitCode.budgetsBreached);
    expect(output).to.match(/batch of 2: 1 passed/);

    const reports = path.join(cwd, 'reports');
    const folders = readdirSync(reports)
      .filter((name) => statSync(path.join(reports, name)).isDirectory())
      .sort();
    expect(folders.map((f) => f.replace(/^\d{8}T\d{6}Z-/, ''))).to.deep.equal(['breach-central', 'steady', 'batch']);
    for (const folder of folders.slice(0, 2)) {
      expect(readdirSync(path.join(reports, folder))).to.include.members([
        'journal.jsonl',
        'result.json',
        'junit.xml',
        'report.html',
        'summary.md',
      ]);
    }
    expect(readdirSync(path.join(reports, folders[2]!))).to.include.members(['batch.json', 'junit.xml', 'summary.md']);
    expect(readdirSync(reports)).to.include.members(['index.json', 'index.html']);
    const index = JSON.parse(readFileSync(path.join(reports, 'index.json'), 'utf8')) as {
      runs: Array<{ scenario: string; status: string }>;
    };
    expect(index.runs.map((r) => `${r.scenario}:${r.status}`)).to.deep.equal([
      'steady:passed',
      'breach-central:failed',
    ]);
    const breach = JSON.parse(readFileSync(path.join(reports, folders[0]!, 'result.json'), 'utf8')) as {
      faults: { applied: unknown[] };
      environment: unknown;
    };
    expect(breach.faults.applied).to.have.length(1, 'the fault went through the API with the lab token');
    expect(breach.environment).to.deep.include({ name: 'lab', namespace: 'bank-of-anthos' });

    const files = filesUnder(reports);
    expect(files.length).to.be.greaterThan(15);
    const leaks: string[] = [];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const [what, secret] of Object.entries(secrets))
        if (text.includes(secret)) leaks.push(`${path.relative(cwd, file)} holds ${what}`);
    }
    expect(leaks).to.deep.equal([]);

    const xsd = path.join(projectRoot, 'test/fixtures/junit/junit.xsd');
    const lint = spawnSync('xmllint', ['--noout', '--schema', xsd, path.join(reports, folders[2]!, 'junit.xml')], {
      encoding: 'utf8',
    });
    expect(lint.status, `${lint.error?.message ?? ''}${lint.stderr}`).to.equal(0);
    expect(readFileSync(path.join(reports, folders[2]!, 'junit.xml'), 'utf8'))
      .to.match(/<testsuite name="breach-central"[^>]*failures="[1-9]/)
      .and.match(/<testsuite name="steady"[^>]*failures="0"/);
  });

  it('chaos report re-renders every folder of those real runs byte for byte', async () => {
    const reports = path.join(cwd, 'reports');
    const before = new Map(filesUnder(reports).map((file) => [file, readFileSync(file).toString('base64')]));
    const folders = readdirSync(reports).filter((name) => statSync(path.join(reports, name)).isDirectory());
    for (const folder of folders) {
      const result = await runChaosAsync(['report', path.join('reports', folder)], { cwd, timeoutMs: 60_000 });
      expect(result.code, result.stdout + result.stderr).to.equal(ExitCode.passed);
    }
    const after = new Map(filesUnder(reports).map((file) => [file, readFileSync(file).toString('base64')]));
    expect([...after.keys()].sort()).to.deep.equal([...before.keys()].sort());
    const changed = [...after]
      .filter(([file, bytes]) => before.get(file) !== bytes)
      .map(([file]) => path.relative(cwd, file));
    expect(changed).to.deep.equal([]);
  });
});
