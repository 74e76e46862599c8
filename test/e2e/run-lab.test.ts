/**
 * End to end: the built CLI, the real k6 binary, the embedded lab. Phases are shortened with
 * --phase so the tier stays within minutes. Assertions are about verdicts, where traffic went,
 * what was reverted and what was written — never about how fast anything was. The lab is the
 * test's own (`chaos lab up` on free ports, a private state folder): it outlives each run, so
 * what a run reverted or left alone is read from the cluster afterwards, not from the run's word.
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AppsV1Api, CoordinationV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { ExitCode } from '../../src/errors/exit-codes.js';
import { projectRoot, runChaos } from '../support/cli.js';
import { startLabProcess, type LabProcess } from '../support/lab-process.js';
import { readRunFile } from '../../src/report/keep-reports.js';

interface Result {
  outcome: { status: string; exitCode: number; reason: string };
  verdicts: Array<{
    phase: string;
    ingress: string;
    budget: string;
    pass: boolean;
    value: number | null;
    samples: number;
  }>;
  phaseStats: Array<{
    phase: string;
    ingress: string;
    stats: { requests: number; servedBy: Record<string, number>; p50: number; p95: number; p99: number };
  }>;
  faults: {
    applied: Array<{ appliedAtMs: number; convergence?: string | null; convergedAtMs?: number | null }>;
    reverted: Array<{ revertedAtMs: number; convergedAtMs?: number | null }>;
    revertAll: { reverted: unknown[]; failures: unknown[] } | null;
  };
  phases: Array<{ name: string; startedAt: string; endedAt: string }>;
  load: Array<{ ingress: string; servedBy?: { kind: string; header?: string } }>;
  timings: Array<{ ingress: string; impact?: string; recovery?: string; timeToImpactMs: number | null }>;
  runDir: string;
}

const short = ['--phase', 'baseline=5s', '--phase', 'fault=8s', '--phase', 'recovery=6s'];

describe('chaos run on the lab (real k6)', function () {
  this.timeout(180_000);
  let reports: string;
  let lab: LabProcess;
  let kc: KubeConfig;
  before(async function () {
    this.timeout(180_000);
    reports = mkdtempSync(path.join(tmpdir(), 'chaos-e2e-'));
    lab = await startLabProcess();
    kc = new KubeConfig();
    kc.loadFromFile(lab.state.kubeconfig);
  });
  after(async () => {
    await lab?.stop();
    rmSync(reports, { recursive: true, force: true });
  });

  /** What a run may change in the lab, read from its API: frontend in both clusters, routes, Leases. */
  const clusterState = async () => {
    const state: Record<string, unknown> = {};
    for (const cluster of ['central', 'west']) {
      kc.setCurrentContext(`lab-${cluster}`);
      const apps = kc.makeApiClient(AppsV1Api);
      const custom = kc.makeApiClient(CustomObjectsApi);
      const coordination = kc.makeApiClient(CoordinationV1Api);
      const frontend = await apps.readNamespacedDeployment({ name: 'frontend', namespace: 'bank-of-anthos' });
      const vs = (await custom.getNamespacedCustomObject({
        group: 'networking.istio.io',
        version: 'v1',
        namespace: 'bank-of-anthos',
        plural: 'virtualservices',
        name: 'frontend-ingress',
      })) as { spec: unknown };
      const leases = await coordination.listNamespacedLease({ namespace: 'bank-of-anthos' });
      state[cluster] = {
        replicas: frontend.spec?.replicas,
        annotations: Object.keys(frontend.metadata?.annotations ?? {}).filter((key) => key.startsWith('chaos.dev/')),
        routes: vs.spec,
        leases: leases.items.map((lease) => lease.metadata?.name),
      };
    }
    return state;
  };

  const run = (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const result = runChaos(['run', ...args, '--reports', reports], {
      timeoutMs: 170_000,
      env: { ...lab.env, ...env },
    });
    const dir = /results: (.*)\/$/m.exec(result.stdout)?.[1];
    const parsed = dir
      ? (JSON.parse(readFileSync(path.resolve(projectRoot, dir, 'result.json'), 'utf8')) as Result)
      : undefined;
    return { ...result, result: parsed };
  };

  it("frontend-zero with the shipped journeys passes: checks, /home's duration and the script's Trend judged per ingress in every phase, central's ingress served by west during the fault", async () => {
    // The fault phase is judged from the scale-down's converged time, so the requests that fail
    // while it propagates (as with a real Envoy) belong to the transition; 15 s at 15 journeys/s is
    // still 225 /home requests for the 10 % budgets.
    const before = await clusterState();
    // Budgets with room (the fixture says why): the verdict must not depend on this machine's speed.
    const { code, stdout, stderr, result } = run([
      path.join(projectRoot, 'test/fixtures/scenarios/frontend-zero-journeys.yaml'),
    ]);
    expect(stdout, "the run used the test's lab").to.include(`the running lab (pid ${lab.child.pid}`);
    expect(code, `${stdout}\n${stderr}`).to.equal(ExitCode.passed);
    // The user script's budgets, judged per ingress in every phase from its own samples.
    for (const phase of ['baseline', 'fault', 'recovery'])
      for (const ingress of ['central', 'west'])
        for (const budget of ['checks: rate>0.9', 'http_req_duration{name:home}: med<4000', 'home_ms: med<4000']) {
          const verdict = result!.verdicts.find(
            (v) => v.phase === phase && v.ingress === ingress && v.budget === budget,
          );
          expect(verdict, `${phase}/${ingress} ${budget}`).to.not.equal(undefined);
          expect(verdict!.samples, `${phase}/${ingress} ${budget}`).to.be.greaterThan(0);
          expect(verdict!.value, `${phase}/${ingress} ${budget}`).to.be.a('number');
        }
    const fault = result!.phaseStats.find((s) => s.phase === 'fault' && s.ingress === 'central')!.stats;
    expect(fault.requests).to.be.greaterThan(0);
    expect(fault.servedBy.west ?? 0, JSON.stringify(fault.servedBy)).to.be.greaterThan(fault.servedBy.central ?? 0);
    // Learned as on a real mesh: the gateway's EnvoyFilter header (the upstream Pod's address),
    // mapped to a cluster through the EndpointSlices; every address mapped to a cluster we know.
    expect(result!.load.map((load) => load.servedBy)).to.deep.equal([
      { kind: 'upstream-address', header: 'x-chaos-upstream-host' },
      { kind: 'upstream-address', header: 'x-chaos-upstream-host' },
    ]);
    for (const stats of result!.phaseStats.map((s) => s.stats))
      expect(Object.keys(stats.servedBy).filter((key) => !['central', 'west', 'unknown'].includes(key))).to.deep.equal(
        [],
      );
    const baseline = result!.phaseStats.find((s) => s.phase === 'baseline' && s.ingress === 'central')!.stats;
    expect(baseline.servedBy.central ?? 0, JSON.stringify(baseline.servedBy)).to.be.greaterThan(
      baseline.servedBy.west ?? 0,
    );
    expect(result!.faults.applied).to.have.length(1);
    expect(result!.faults.reverted).to.have.length(1);
    expect(stdout).to.match(/PASSED/);
    // The end reads clean: the harness's own stop of k6 is no warning, a no-op safety net no news.
    expect(stdout).to.include('k6 stopped');
    expect(stdout).not.to.include("k6 received a 'interrupt' signal");
    expect(stdout).not.to.match(/^\+[\d.]+s warn: /m);
    expect(stdout).not.to.include('revert all');
    // Reverted, as the cluster shows: frontend back to its replicas, no annotation, no lock left.
    expect(await clusterState()).to.deep.equal(before);
  });

  it('ledger-db-zero breaches its checks on both ingresses while its error rate stays low, and so passes as a negative control; with expect: pass it fails with the budgets-breached code', () => {
    // The baseline must be judged and hold: `rate<0.01` needs 299 requests (≈ 21 a second at 15 journeys/s).
    const negative = run([
      'ledger-db-zero',
      '--phase',
      'baseline=18s',
      '--phase',
      'fault=6s',
      '--phase',
      'recovery=4s',
    ]);
    expect(negative.code, negative.stdout + negative.stderr).to.equal(ExitCode.passed);
    // As on the real app: the page renders without transactions (a failed check), with a 200.
    for (const ingress of ['central', 'west']) {
      const verdict = (phase: string, budget: string) =>
        negative.result!.verdicts.find((v) => v.phase === phase && v.ingress === ingress && v.budget === budget)!;
      expect(verdict('baseline', 'http_req_failed: rate<0.01').pass, `${ingress} baseline errors`).to.equal(true);
      expect(verdict('fault', 'checks: rate>0.99').pass, `${ingress} checks`).to.equal(false);
      // Errors stay low: 6 s are too few requests to pass rate<0.01 (inconclusive), never a breach.
      const errors = verdict('fault', 'http_req_failed: rate<0.01');
      expect(errors.value, `${ingress} errors`).to.be.below(0.01);
      expect(errors.pass || (errors as { outcome?: string }).outcome === 'inconclusive', `${ingress} errors`).to.equal(
        true,
      );
      // Only the checks saw the outage: a failed check is impact (issue 26, item 4).
      expect(negative.result!.timings.find((t) => t.ingress === ingress)!.impact, `${ingress} impact`).to.equal(
        'measured',
      );
    }
    expect(negative.result!.outcome.reason).to.include('negative control passed');
    const positive = run([
      path.join(projectRoot, 'test/fixtures/scenarios/ledger-db-zero-expect-pass.yaml'),
      '--phase',
      'baseline=4s',
      '--phase',
      'fault=6s',
      '--phase',
      'recovery=4s',
    ]);
    expect(positive.code, positive.stdout + positive.stderr).to.equal(ExitCode.budgetsBreached);
  });

  it('an Istio delay larger than the latency budget fails the fault phase and only the fault phase', () => {
    const { code, stdout, stderr, result } = run([path.join(projectRoot, 'test/fixtures/scenarios/slow-ingress.yaml')]);
    expect(code, stdout + stderr).to.equal(ExitCode.budgetsBreached);
    const failed = result!.verdicts.filter((v) => !v.pass).map((v) => `${v.phase}/${v.ingress}`);
    expect(failed.sort()).to.deep.equal(['fault/central', 'fault/west']);
    // The result keeps the API time and when the lab's data plane had it (its status, 500 ms after the
    // API call; appliedAtMs is taken after the journal writes that follow the call, hence the margin).
    expect(result!.faults.applied.length).to.be.greaterThan(0);
    for (const applied of result!.faults.applied) {
      expect(applied.convergence).to.equal('status');
      expect(applied.convergedAtMs! - applied.appliedAtMs).to.be.at.least(250);
    }
    for (const reverted of result!.faults.reverted)
      expect(reverted.convergedAtMs! - reverted.revertedAtMs).to.be.at.least(0);
  });

  it('an abort-limit breach reverts every fault, stops k6, and records the times', async () => {
    const before = await clusterState();
    const { code, stdout, stderr, result } = run([
      path.join(projectRoot, 'test/fixtures/scenarios/abort-on-errors.yaml'),
    ]);
    expect(code, stdout + stderr).to.equal(ExitCode.budgetsBreached);
    expect(result!.outcome.status).to.equal('aborted');
    expect(result!.outcome.reason).to.include('abort limit "http_req_failed: rate<0.5" breached on ingress central');
    expect(result!.faults.revertAll!.failures).to.deep.equal([]);
    // The cluster, not the run's word: the abort route is gone from central's gateway routes.
    expect(await clusterState()).to.deep.equal(before);
    // The times, in the order the rule gives: applied within the fault phase, the revert-all
    // after the apply and inside the run, the run's phases in order.
    const iso = (text: string | null | undefined) => Date.parse(text ?? '');
    const fault = result!.phases.find((p) => p.name === 'fault')!;
    const applied = result!.faults.applied as unknown as Array<{ appliedAt: string }>;
    const revertAll = result!.faults.revertAll as unknown as { startedAt: string; finishedAt: string };
    expect(applied).to.have.length(1);
    // The API call opens the apply transition; the fault phase is judged from convergence, after it.
    const transitions = (result as unknown as { transitions: Array<{ name: string; startedAt: string }> }).transitions;
    const applyTransition = transitions.find((t) => t.name === 'fault:apply')!;
    expect(iso(applied[0]!.appliedAt)).to.be.at.least(iso(applyTransition.startedAt));
    expect(iso(applied[0]!.appliedAt)).to.be.at.most(iso(fault.startedAt));
    expect(iso(revertAll.startedAt)).to.be.at.least(iso(applied[0]!.appliedAt));
    expect(iso(revertAll.finishedAt)).to.be.at.least(iso(revertAll.startedAt));
    expect(iso(revertAll.finishedAt)).to.be.at.most(iso((result as unknown as { endedAt: string }).endedAt));
    expect(readdirSync(reports).length).to.be.greaterThan(0);
  });

  it("percentiles reported for a phase agree with k6's definition computed from k6's raw samples within 0.1 %", () => {
    // --raw-samples: k6's own record of every request next to the compact record the run is judged on.
    const { result } = run([
      'frontend-zero',
      '--phase',
      'baseline=6s',
      '--phase',
      'fault=3s',
      '--phase',
      'recovery=3s',
      '--raw-samples',
    ]);
    const raw = readRunFile(result!.runDir, 'k6-samples.json')
      .toString('utf8')
      .split('\n')
      .filter((line) => line.startsWith('{"metric":"chaos_req","type":"Point"'))
      .map(
        (line) =>
          JSON.parse(line) as {
            data: { time: string; value: number; tags: Record<string, string>; metadata?: Record<string, string> };
          },
      );
    const baseline = result!.phases.find((p) => p.name === 'baseline')!;
    const [from, to] = [Date.parse(baseline.startedAt), Date.parse(baseline.endedAt)];
    for (const ingress of ['central', 'west']) {
      // A request belongs to the phase it was sent in: the send time the script records (metadata
      // sent_ms), else end stamp - duration.
      const sentAt = (p: (typeof raw)[number]) =>
        p.data.metadata?.sent_ms !== undefined
          ? Number(p.data.metadata.sent_ms)
          : Date.parse(p.data.time) - p.data.value;
      const values = raw
        .filter((p) => p.data.tags.ingress === ingress && sentAt(p) >= from && sentAt(p) < to)
        .map((p) => p.data.value)
        .sort((a, b) => a - b);
      const stats = result!.phaseStats.find((s) => s.phase === 'baseline' && s.ingress === ingress)!.stats;
      expect(stats.requests).to.equal(values.length);
      for (const [p, reported] of [
        [50, stats.p50],
        [95, stats.p95],
        [99, stats.p99],
      ] as const) {
        // k6's definition, computed here on its own: linear interpolation between the closest ranks.
        const rank = ((values.length - 1) * p) / 100;
        const low = values[Math.floor(rank)]!;
        const exact = low + (values[Math.ceil(rank)]! - low) * (rank - Math.floor(rank));
        expect(Math.abs(reported - exact) / exact, `${ingress} p${p}: ${reported} vs ${exact}`).to.be.below(0.001);
      }
    }
  });

  it('without k6 it says how to get it, exits with the harness-error code, and changes nothing', async () => {
    const before = await clusterState();
    const { code, stderr } = run(['frontend-zero', ...short], { K6_BIN: '/nonexistent/k6' });
    expect(code).to.equal(ExitCode.harnessError);
    expect(stderr).to.include('K6_BIN=/nonexistent/k6 is not an executable k6').and.to.include('npm run setup');
    expect(await clusterState()).to.deep.equal(before);
  });
});
