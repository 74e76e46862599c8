/**
 * Distributed load end to end on one machine: the TestRun we build is run by a stand-in for
 * k6-operator that starts real k6 processes exactly as its runner Pods would (execution
 * segments, our arguments, the ConfigMap's script and config), and their stdout is read back
 * the way the harness reads runner logs through the API — one stream breaks and is resumed.
 * Every request of every runner arrives once; together the runners make the scenario's rate.
 * Load goes to a server on 127.0.0.1 only; k6 stops by itself after 3 s.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LoadScriptConfig } from '../../src/load/k6-args.js';
import { requireK6, type K6Binary } from '../../src/load/k6-binary.js';
import { operatorLoadStarter } from '../../src/run/timeline/operator-load.js';
import { splitTimestamp } from '../../src/load/k6-operator-testrun.js';
import type { LoadSample } from '../../src/budgets/sample.js';
import { RecordReader } from '../../src/load/records.js';
import { readFileSync } from 'node:fs';
import { startFakeOperatorCluster, type FakeOperatorCluster } from './k6-operator-fake-cluster.js';
import type { Environment } from '../../src/environment/types.js';
import { buildPlan } from '../../src/run/plan/build-plan.js';
import { executeRun } from '../../src/run/timeline/execute-run.js';
import { validateScenario } from '../../src/scenario/validate-scenario.js';
import { parseYamlSource } from '../../src/input/yaml-source.js';

describe('distributed load: runners stream their samples back through their logs (real k6 as runners)', function () {
  this.timeout(120_000);
  let k6: K6Binary | undefined;
  let server: Server;
  let base: string;
  let dir: string;
  let cluster: FakeOperatorCluster | undefined;

  before(async function () {
    // Never skipped: without k6 v2 this fails, saying how to get it (npm run setup).
    k6 = await requireK6();
    server = createServer((request, response) => {
      response.setHeader('x-served-by', (request.url ?? '/').split('/')[1] ?? 'unknown');
      response.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    if (server) await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'chaos-operator-'));
  });
  afterEach(async () => {
    await cluster?.stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  const config = (): LoadScriptConfig => ({
    ingresses: [
      { name: 'central', url: `${base}/central` },
      { name: 'west', url: `${base}/west` },
    ],
    ratePerSecond: 30,
    durationSeconds: 3,
    method: 'GET',
    paths: ['/', '/home'],
    timeoutMs: 2000,
    preAllocatedVUs: 10,
    maxVUs: 20,
    servedBy: { kind: 'header', header: 'x-served-by' },
  });

  /** One distributed run to its end, polling samples as the timeline does. */
  async function runDistributed(parallelism: number, breakFirstStreamAfter?: number) {
    await cluster?.stopAll();
    const fake = (cluster = startFakeOperatorCluster({ k6: k6!.path, dir: path.join(dir, `p${parallelism}`) }));
    if (breakFirstStreamAfter !== undefined) fake.breakStreamAfter(0, breakFirstStreamAfter);
    const received: LoadSample[] = [];
    const logs: string[] = [];
    const start = operatorLoadStarter({
      api: fake,
      runId: `rop${parallelism}`,
      runner: { kind: 'k6-operator', parallelism },
      defaultNamespace: 'bank-of-anthos',
    });
    const run = start({
      k6: k6!,
      runDir: dir,
      config: config(),
      onSample: (sample) => received.push(sample),
      onLog: (line) => logs.push(line),
    });
    let ended: Awaited<typeof run.ended> | undefined;
    void run.ended.then((value) => {
      ended = value;
    });
    // Bounded: k6 ends after its 3 s; the runner notices within a few polls.
    for (let waited = 0; ended === undefined && waited < 90_000; waited += 100) {
      run.samples.poll();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    run.samples.close();
    expect(ended?.end, logs.join('\n')).to.deep.equal({ kind: 'completed' });
    run.stop();
    for (let waited = 0; (fake.testRuns.size > 0 || fake.configMaps.size > 0) && waited < 5_000; waited += 50)
      await new Promise((resolve) => setTimeout(resolve, 50));
    return { fake, received };
  }

  /** What one runner wrote in its log: its VUs' compact records, read on their own. */
  const writtenBy = (pod: { lines: Array<{ text: string }> }, runDir: string): LoadSample[] => {
    const { epochMs } = JSON.parse(readFileSync(path.join(runDir, 'k6-config.json'), 'utf8')) as { epochMs: number };
    const samples: LoadSample[] = [];
    const reader = new RecordReader({ epochMs, onSample: (sample) => samples.push(sample) });
    for (const line of pod.lines) reader.line(line.text);
    return samples;
  };

  const scheduled = (samples: LoadSample[], ingress: string) =>
    samples.reduce(
      // Iterations started (each one request here); enough VUs on loopback that none is dropped.
      (sum, s) => sum + (s.ingress === ingress && s.kind === 'iteration' ? s.count : 0),
      0,
    );

  it('3 runners with execution segments: each request arrives exactly once (a broken log stream is resumed), together they run the schedule once, and the objects are cleaned up', async () => {
    const { fake, received } = await runDistributed(3, 25);

    // The runners were started as k6-operator starts them, with our arguments.
    expect(fake.runnerArgv).to.have.length(3);
    for (const [index, argv] of fake.runnerArgv.entries()) {
      expect(argv).to.include.members(['--summary-mode=disabled', '/test/load.ts', `instance_id=${index + 1}`]);
      // The compact record goes to the log; no JSON output, and k6-operator's own --address stays the only one.
      expect(argv).to.not.include.members(['json=-']);
      expect(argv.filter((arg) => arg.startsWith('--address'))).to.have.length(1);
    }

    // What the runners wrote (every record line of every Pod's log) arrived exactly once.
    const written = fake.pods.flatMap((pod) => writtenBy(pod, dir));
    const key = (s: LoadSample) => JSON.stringify(s);
    expect(received.map(key).sort()).to.deep.equal(written.map(key).sort());
    for (const pod of fake.pods)
      expect(
        writtenBy(pod, dir).some((s) => s.kind === 'request'),
        pod.name,
      ).to.equal(true);
    expect(new Set(received.flatMap((s) => (s.kind === 'request' ? [s.servedBy] : [])))).to.deep.equal(
      new Set(['central', 'west']),
    );
    expect(fake.testRuns.size).to.equal(0);
    expect(fake.configMaps.size).to.equal(0);

    // Together the segments run the scenario's schedule once — 30/s × 3 s per ingress, run or
    // dropped — not three times over (k6 may start one more or one fewer at each runner's end).
    for (const ingress of ['central', 'west'])
      expect(scheduled(received, ingress), ingress).to.be.within(90 - 3, 90 + 3);
    expect(splitTimestamp('2026-01-02T03:04:05.123Z {"a":1}')).to.deep.equal({
      stamp: '2026-01-02T03:04:05.123Z',
      text: '{"a":1}',
    });
  });

  it("in the run's timeline: the samples of all runners feed one ledger, judged per phase and ingress, and stopping the run stops the TestRun", async () => {
    const fake = (cluster = startFakeOperatorCluster({ k6: k6!.path, dir: path.join(dir, 'timeline') }));
    const environment: Environment = {
      file: 'test',
      name: 'operator-test',
      namespace: 'bank-of-anthos',
      builtIn: false,
      allowContexts: [],
      clusters: ['central', 'west'].map((name) => ({
        name,
        context: name,
        ingress: { kind: 'url' as const, url: `${base}/${name}` },
      })),
    };
    const scenario = validateScenario(
      parseYamlSource(
        'distributed.yaml',
        [
          'name: distributed',
          'description: three runners, no faults',
          'load: { rate: 40, paths: [/], runner: k6-operator, parallelism: 3 }',
          'steps: [{ name: baseline, duration: 3s }, { name: recovery, duration: 2s }]',
          // rate<0.1 is decidable from 29 samples ((1 − 0.1)^29 < 0.05, docs/verdicts.md): 2 s at 40/s has 80.
          'budgets: { all: { http_req_failed: rate<0.1 } }',
        ].join('\n'),
      ),
      { name: environment.name, clusters: ['central', 'west'] },
    );
    const plan = buildPlan(scenario, environment, 'rtimeline');
    const noFaults = {
      apply: async () => [],
      revert: async () => [],
      revertAll: async (reason = 'revert all') => ({
        reason,
        startedAtMs: 0,
        finishedAtMs: 0,
        reverted: [],
        failures: [],
        unverified: [],
      }),
    };
    const record = await executeRun(plan, {
      k6: k6!,
      driver: noFaults,
      ingressUrls: { central: `${base}/central`, west: `${base}/west` },
      runDir: dir,
      emit: () => undefined,
      interrupt: new AbortController().signal,
      hurry: new AbortController().signal,
      startLoad: operatorLoadStarter({
        api: fake,
        runId: plan.runId,
        runner: scenario.load.runner!,
        defaultNamespace: environment.namespace,
      }),
    });
    expect(record.stop).to.deep.equal({ kind: 'completed' });
    expect(record.k6End).to.deep.equal({ kind: 'stopped' });
    expect(fake.pods).to.have.length(3);
    // Every request every runner wrote went into the one ledger (those after the timeline ended included).
    const written = fake.pods.flatMap((pod) => writtenBy(pod, dir)).filter((s) => s.kind === 'request');
    expect(record.ledger.samples).to.equal(written.length);
    const perRunner = fake.pods.map((pod) => writtenBy(pod, dir).filter((s) => s.kind === 'request').length);
    expect(
      perRunner.every((n) => n > 0),
      String(perRunner),
    ).to.equal(true);
    for (const summary of record.ledger.phaseSummaries())
      expect(summary.stats.requests, `${summary.phase}/${summary.ingress}`).to.be.greaterThan(0);
    expect(record.ledger.verdicts().map((v) => `${v.phase}/${v.ingress}:${v.pass}`)).to.deep.equal([
      'baseline/central:true',
      'baseline/west:true',
      'recovery/central:true',
      'recovery/west:true',
    ]);
    expect(fake.testRuns.size).to.equal(0);
    expect(fake.configMaps.size).to.equal(0);
  });
});
