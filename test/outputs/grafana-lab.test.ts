/**
 * `--grafana` end to end on the lab (real k6, the built CLI) against the contract of Grafana's
 * documented annotations API (test/support/grafana-contract.ts; Grafana is AGPL and not used):
 * every journal event of the table in docs/grafana.md arrives with its time and tags, the run is
 * one region annotation ending with the verdict, no file of the run folder holds the token, and
 * a Grafana answering 500 leaves the exit code as it was.
 */
import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ExitCode } from '../../src/errors/exit-codes.js';
import type { JournalEntry } from '../../src/run/record/run-events.js';
import { projectRoot, runChaosAsync } from '../support/cli.js';
import { startGrafanaContract, type GrafanaContract } from '../support/grafana-contract.js';
import { startLabProcess, type LabProcess } from '../support/lab-process.js';

const scenario = (name: string, budget: string) => `
name: ${name}
description: a short run with one Istio fault
environment: lab
load: { rate: 10, paths: [/], timeout: 5s }
phases: { baseline: 2s, fault: 3s, recovery: 2s }
faults:
  - { type: istio-abort, cluster: central, host: frontend, via: ingress, status: 503, percentage: 100 }
budgets:
  baseline: { ${budget} }
`;

/** docs/grafana.md's table: the `event:` tags a journal entry becomes, at which time. */
function expectedFrom(entry: JournalEntry): Array<{ event: string; time: number; cluster?: string }> {
  switch (entry.type) {
    case 'phase-started':
    case 'abort':
    case 'revert-all':
    case 'note':
      return [{ event: entry.type, time: entry.atMs }];
    case 'fault-applied':
      return [
        { event: 'fault-applied', time: entry.atMs, cluster: entry.cluster },
        { event: 'fault-converged', time: entry.convergedAtMs ?? entry.effectiveAtMs, cluster: entry.cluster },
      ];
    case 'fault-reverted':
    case 'fault-failed':
      return [{ event: entry.type, time: entry.atMs, cluster: entry.cluster }];
    case 'fault-revert-verified':
      return [
        { event: 'fault-revert-converged', time: entry.convergedAtMs ?? entry.verifiedAtMs, cluster: entry.cluster },
      ];
    default:
      return [];
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? filesUnder(file) : [file];
  });
}

describe('--grafana: annotations of a run on the lab (real k6, Grafana API contract)', function () {
  this.timeout(300_000);
  let dir: string;
  let lab: LabProcess;
  let grafana: GrafanaContract;
  before(async function () {
    this.timeout(180_000);
    dir = mkdtempSync(path.join(tmpdir(), 'chaos-grafana-'));
    writeFileSync(path.join(dir, 'fails.yaml'), scenario('grafana-fails', 'http_reqs: count<1'));
    writeFileSync(path.join(dir, 'passes.yaml'), scenario('grafana-passes', 'http_req_failed: rate<0.5'));
    lab = await startLabProcess();
    grafana = await startGrafanaContract();
  });
  after(async () => {
    await grafana?.close();
    await lab?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = (file: string, env: NodeJS.ProcessEnv = {}) =>
    runChaosAsync(
      ['run', path.join(dir, file), '--reports', path.join(dir, 'reports'), '--grafana', `${grafana.url}/`],
      { timeoutMs: 120_000, env: { ...lab.env, CHAOS_GRAFANA_TOKEN: grafana.token, ...env } },
    );

  it('every event of the run with its tags, one region with the verdict, and no token in the run folder', async () => {
    const { code, stdout, stderr } = await run('fails.yaml');
    expect(code, stderr).to.equal(ExitCode.budgetsBreached);
    expect(grafana.violations).to.deep.equal([]);
    const runDir = path.resolve(projectRoot, /results: (.*)\/$/m.exec(stdout)![1]!);
    const journal = readFileSync(path.join(runDir, 'journal.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as JournalEntry);
    const started = journal.find((e) => e.type === 'run-started')!;
    const runId = started.type === 'run-started' ? started.runId : '';
    const result = JSON.parse(readFileSync(path.join(runDir, 'result.json'), 'utf8')) as { endedAt: string };
    const base = [
      'chaos',
      'scenario:grafana-fails',
      `run:${runId}`,
      'environment:lab',
      'ingress:central',
      'ingress:west',
    ];

    const all = [...grafana.annotations.values()].filter((a) => a.tags.includes(`run:${runId}`));
    const regions = all.filter((a) => a.timeEnd !== a.time);
    expect(regions).to.have.length(1);
    expect(regions[0]).to.include({ time: started.atMs, timeEnd: Date.parse(result.endedAt) });
    expect(regions[0]!.text).to.match(/— FAILED \(exit 1\)/);
    expect(regions[0]!.tags).to.include.members([...base, 'verdict:failed', 'cluster:central', 'cluster:west']);

    const wanted = journal.flatMap(expectedFrom);
    expect(wanted.filter((w) => w.event === 'fault-applied')).to.have.length(1);
    expect(wanted.filter((w) => w.event === 'phase-started')).to.have.length(3);
    for (const want of wanted) {
      const found = all.filter((a) => a.time === want.time && a.tags.includes(`event:${want.event}`));
      expect(found, `${want.event} at ${want.time}`).to.have.length(1);
      const clusters = want.cluster ? [`cluster:${want.cluster}`] : ['cluster:central', 'cluster:west'];
      expect(found[0]!.tags).to.have.members([...base, `event:${want.event}`, ...clusters]);
    }
    // The events, the end point and the region: nothing else.
    expect(all).to.have.length(wanted.length + 2);
    expect(all.filter((a) => a.tags.includes('event:run-ended') && a.tags.includes('verdict:failed'))).to.have.length(
      1,
    );
    expect(stdout).to.include(`grafana: ${wanted.length + 3} annotations posted to ${grafana.url}`);

    for (const file of filesUnder(runDir)) {
      const bytes = readFileSync(file);
      const text = (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
      expect(text, path.relative(runDir, file)).not.to.include(grafana.token);
    }
    expect(`${stdout}${stderr}`).not.to.include(grafana.token);
  });

  it('a Grafana answering 500 leaves a passed run passed (exit 0), logged', async () => {
    grafana.failWith = { status: 500, message: 'Failed to save annotation' };
    try {
      const { code, stderr } = await run('passes.yaml');
      expect(code, stderr).to.equal(ExitCode.passed);
      expect(stderr).to.match(/chaos: grafana: (\d+) of \1 annotations not posted/);
      expect(stderr).to.include('HTTP 500');
    } finally {
      grafana.failWith = undefined;
    }
  });

  it('a refused token changes nothing either, and a failed run stays failed (exit 1)', async () => {
    const { code, stderr } = await run('fails.yaml', { CHAOS_GRAFANA_TOKEN: 'glsa_not_the_right_one' });
    expect(code, stderr).to.equal(ExitCode.budgetsBreached);
    expect(stderr).to.include('HTTP 401');
    expect(stderr).not.to.include('glsa_not_the_right_one');
  });
});
