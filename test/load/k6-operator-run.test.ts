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
import { findK6, type K6Binary } from '../../src/load/k6-binary.js';
import { operatorLoadStarter } from '../../src/load/k6-operator-load.js';
import { splitTimestamp } from '../../src/load/k6-operator-testrun.js';
import { parseSampleLine, type LoadSample } from '../../src/load/samples.js';
import { startFakeOperatorCluster, type FakeOperatorCluster } from './k6-operator-fake-cluster.js';

describe('distributed load: runners stream their samples back through their logs (real k6 as runners)', function () {
  this.timeout(120_000);
  let k6: K6Binary | undefined;
  let server: Server;
  let base: string;
  let dir: string;
  let cluster: FakeOperatorCluster | undefined;

  before(async function () {
    k6 = await findK6();
    if (!k6) this.skip();
    server = createServer((request, response) => {
      response.setHeader('x-chaos-cluster', (request.url ?? '/').split('/')[1] ?? 'unknown');
      response.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => { if (server) await new Promise((resolve) => server.close(resolve)); });
  beforeEach(() => { dir = mkdtempSync(path.join(tmpdir(), 'chaos-operator-')); });
  afterEach(async () => {
    await cluster?.stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  const config = (): LoadScriptConfig => ({
    ingresses: [{ name: 'central', url: `${base}/central` }, { name: 'west', url: `${base}/west` }],
    ratePerSecond: 30, durationSeconds: 3, method: 'GET', paths: ['/', '/home'], timeoutMs: 2000,
    preAllocatedVUs: 10, maxVUs: 20, servedByHeader: 'x-chaos-cluster',
  });

  /** One distributed run to its end, polling samples as the timeline does. */
  async function runDistributed(parallelism: number, breakFirstStreamAfter?: number) {
    await cluster?.stopAll();
    const fake = (cluster = startFakeOperatorCluster({ k6: k6!.path, dir: path.join(dir, `p${parallelism}`) }));
    if (breakFirstStreamAfter !== undefined) fake.breakStreamAfter(0, breakFirstStreamAfter);
    const received: LoadSample[] = [];
    const logs: string[] = [];
    const start = operatorLoadStarter({ api: fake, runId: `rop${parallelism}`, runner: { kind: 'k6-operator', parallelism }, defaultNamespace: 'bank-of-anthos' });
    const run = start({ k6: k6!, runDir: dir, config: config(), onSample: (sample) => received.push(sample), onLog: (line) => logs.push(line) });
    let ended: Awaited<typeof run.ended> | undefined;
    void run.ended.then((value) => { ended = value; });
    // Bounded: k6 ends after its 3 s; the runner notices within a few polls.
    for (let waited = 0; ended === undefined && waited < 90_000; waited += 100) {
      run.samples.poll();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    run.samples.close();
    expect(ended?.end, logs.join('\n')).to.deep.equal({ kind: 'completed' });
    run.stop();
    for (let waited = 0; (fake.testRuns.size > 0 || fake.configMaps.size > 0) && waited < 5_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    return { fake, received };
  }

  const scheduled = (samples: LoadSample[], ingress: string) =>
    samples.reduce((sum, s) => sum + (s.ingress !== ingress ? 0 : s.kind === 'request' ? 1 : s.count), 0);

  it('3 runners with execution segments: each request arrives exactly once (a broken log stream is resumed), together they run the schedule of one runner, and the objects are cleaned up', async () => {
    const { fake, received } = await runDistributed(3, 25);

    // The runners were started as k6-operator starts them, with our arguments.
    expect(fake.runnerArgv).to.have.length(3);
    for (const [index, argv] of fake.runnerArgv.entries()) {
      expect(argv).to.include.members(['--out', 'json=-', '--no-thresholds', '--summary-mode=disabled', '/test/load.ts', `instance_id=${index + 1}`]);
    }

    // What the runners wrote (every chaos_req line of every Pod's log) arrived exactly once.
    const written = fake.pods.flatMap((pod) => pod.lines.map((line) => parseSampleLine(line.text)).filter((s): s is LoadSample => s !== undefined));
    const key = (s: LoadSample) => JSON.stringify(s);
    expect(received.map(key).sort()).to.deep.equal(written.map(key).sort());
    for (const pod of fake.pods) expect(pod.lines.some((line) => line.text.startsWith('{"metric":"chaos_req"')), pod.name).to.equal(true);
    expect(new Set(received.flatMap((s) => (s.kind === 'request' ? [s.servedBy] : [])))).to.deep.equal(new Set(['central', 'west']));
    expect(fake.testRuns.size).to.equal(0);
    expect(fake.configMaps.size).to.equal(0);

    // The same TestRun with one runner: the same number of iterations per ingress (run or dropped).
    const one = await runDistributed(1);
    for (const ingress of ['central', 'west']) expect(scheduled(received, ingress), ingress).to.equal(scheduled(one.received, ingress));
    expect(splitTimestamp('2026-01-02T03:04:05.123Z {"a":1}')).to.deep.equal({ stamp: '2026-01-02T03:04:05.123Z', text: '{"a":1}' });
  });
});
