/**
 * End to end on the lab (real k6, the built CLI, a lab of its own on free ports): phases on the
 * mesh's clock, a negative control that proves nothing ends invalid, load not delivered ends
 * inconclusive. Scenarios are written here, each saying what it proves.
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ExitCode } from '../../src/errors/exit-codes.js';
import { projectRoot, runChaosAsync } from '../support/cli.js';
import { startLabProcess, type LabProcess } from '../support/lab-process.js';

interface Result {
  outcome: { status: string; exitCode: number; reason: string };
  verdicts: Array<{ phase: string; ingress: string; budget: string; pass: boolean; outcome?: string }>;
  phaseStats: Array<{ phase: string; ingress: string; stats: { requests: number; failures: number } }>;
  transitions: Array<{ name: string; durationMs: number }>;
  delivery: Array<{ phase: string; ingress: string; planned: number; started?: number; sent: number; outcome: string }>;
  timings: Array<{ ingress: string; impact: string; recovery: string; timeToImpactMs: number | null }>;
}

const abort30 = `
name: abort-30
description: 30 % of central's requests get a 503 at its gateway; recovery must be clean once the revert converged
environment: lab
load: { rate: 60, paths: [/], timeout: 5s }
phases: { baseline: 6s, fault: 25s, recovery: 8s }
faults:
  - { type: istio-abort, cluster: central, host: frontend, via: ingress, status: 503, percentage: 30 }
# The baseline's budget has room: a shared test machine can stall the lab for a second (requests
# time out); the claims under test are the recovery budget and the fault phase's error rate.
budgets:
  baseline: { http_req_failed: rate<0.2 }
  fault: { "http_req_failed{ingress:central}": rate>0.1 }
  recovery: { http_req_failed: rate<0.01 }
`;

const brokenBaseline = `
name: broken-baseline
description: a negative control whose baseline budget cannot hold, so its breach proves nothing
environment: lab
load: { rate: 10, paths: [/], timeout: 5s }
phases: { baseline: 4s, fault: 5s, recovery: 3s }
faults:
  - { type: istio-abort, cluster: central, host: frontend, via: ingress, status: 503, percentage: 100 }
budgets:
  baseline: { http_reqs: count<1 }
  fault: { http_req_failed: rate<0.01 }
expect: fail
`;

/** West's requests take 3 s during the fault and it has 2 VUs: it sends 2 of every 30 planned. */
const unloadedWest = `
name: unloaded-west
description: a negative control where west gets almost none of its load during the fault
environment: lab
load: { rate: 10, paths: [/], timeout: 5s, maxVUs: 2 }
phases: { baseline: 4s, fault: 6s, recovery: 4s }
faults:
  - { id: abort-central, type: istio-abort, cluster: central, host: frontend, via: ingress, status: 503, percentage: 100 }
  - { id: slow-west, type: istio-delay, cluster: west, host: frontend, via: ingress, delay: 3s, percentage: 100 }
# A judged baseline: without one, "the baseline held" would prove nothing (negative-control.ts).
budgets:
  baseline: { http_req_failed: rate<0.5 }
  fault: { "http_req_failed{ingress:central}": rate<0.01 }
expect: { fail: ["fault: http_req_failed{ingress:central}"] }
`;

/** Central's requests take 1 s during the fault with 2 VUs: 2 of the 20 planned per second. */
const underDelivered = `
name: under-delivered
description: a phase that cannot get its load is inconclusive, not a pass
environment: lab
load: { rate: 20, paths: [/], timeout: 5s, maxVUs: 2 }
phases: { baseline: 4s, fault: 6s, recovery: 4s }
faults:
  - { type: istio-delay, cluster: central, host: frontend, via: ingress, delay: 1s, percentage: 100 }
budgets:
  all: { http_req_failed: rate<0.5 }
`;

describe('verdict outcomes on the lab (real k6)', function () {
  this.timeout(300_000);
  let dir: string;
  let lab: LabProcess;
  before(async function () {
    this.timeout(180_000);
    dir = mkdtempSync(path.join(tmpdir(), 'chaos-outcomes-'));
    lab = await startLabProcess();
  });
  after(async () => {
    await lab?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = async (name: string, yaml: string) => {
    const file = path.join(dir, `${name}.yaml`);
    writeFileSync(file, yaml);
    const outcome = await runChaosAsync(['run', file, '--reports', path.join(dir, 'reports')], {
      timeoutMs: 240_000,
      env: lab.env,
    });
    const folder = /results: (.*)\/$/m.exec(outcome.stdout)?.[1];
    const result = folder
      ? (JSON.parse(readFileSync(path.resolve(projectRoot, folder, 'result.json'), 'utf8')) as Result)
      : undefined;
    return { ...outcome, result, log: `${outcome.stdout}\n${outcome.stderr}` };
  };

  it('a 30 % abort: recovery passes its 1 % budget, the fault phase measures 30 % within 3 points', async () => {
    const { code, result, log } = await run('abort-30', abort30);
    expect(code, log).to.equal(ExitCode.passed);
    const recovery = result!.verdicts.filter((v) => v.phase === 'recovery');
    expect(recovery.map((v) => v.outcome)).to.deep.equal(['pass', 'pass']);
    const central = result!.phaseStats.find((s) => s.phase === 'fault' && s.ingress === 'central')!.stats;
    expect(central.requests, log).to.be.greaterThan(1000);
    expect(Math.abs(central.failures / central.requests - 0.3), log).to.be.lessThan(0.03);
    expect(result!.transitions.map((t) => t.name)).to.deep.equal(['fault:apply', 'fault:revert']);
    expect(result!.timings.find((t) => t.ingress === 'central')!.impact).to.equal('measured');
  });

  it('a negative control whose baseline is broken ends invalid (exit 5), not passed', async () => {
    const { code, result, log } = await run('broken-baseline', brokenBaseline);
    expect(code, log).to.equal(ExitCode.invalid);
    expect(result!.outcome.status).to.equal('invalid');
    expect(result!.outcome.reason).to.include('the baseline did not hold');
  });

  it('a negative control where one ingress gets no load ends invalid (exit 5)', async () => {
    const { code, result, log } = await run('unloaded-west', unloadedWest);
    expect(code, log).to.equal(ExitCode.invalid);
    expect(result!.outcome.reason).to.include('not every ingress got its load');
    expect(result!.outcome.reason).to.include('fault/west');
  });

  it('a phase under-delivered on purpose ends inconclusive (exit 4), its verdict too', async () => {
    const { code, result, log } = await run('under-delivered', underDelivered);
    expect(code, log).to.equal(ExitCode.inconclusive);
    expect(result!.outcome.status).to.equal('inconclusive');
    const fault = result!.delivery.find((d) => d.phase === 'fault' && d.ingress === 'central')!;
    expect(fault.outcome).to.equal('under-delivered');
    expect(fault.started! / fault.planned).to.be.lessThan(0.95);
    const verdict = result!.verdicts.find((v) => v.phase === 'fault' && v.ingress === 'central')!;
    expect(verdict.outcome).to.equal('inconclusive');
    expect(verdict.pass).to.equal(false);
  });
});
