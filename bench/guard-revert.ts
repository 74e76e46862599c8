/**
 * Bench: from a dead run's last Lease renewal to all its mutations reverted by the guard, per fault
 * type, on the lab in this process with a guard in this process (BENCH_RUNS runs each, default 10).
 *
 *   npx tsx bench/guard-revert.ts       # BENCH_RUNS=10 BENCH_LEASE_S=3 BENCH_GRACE_MS=2000
 *
 * Each run takes the lock (Lease of BENCH_LEASE_S, written once: never renewed, as after kill -9),
 * applies one fault with the run's own fault session, and stops. Measured from the Lease's
 * renewTime to (a) recover's scan finding nothing left (annotations and routes gone) and (b) the
 * guard having verified every undo (its reverts counter). The floor is lease + grace: the guard
 * must not act before; what is above it is the guard's own cost (noticing, undoing, verifying).
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { connectEnvironment } from '../src/environment/connect.js';
import { labEnvironment } from '../src/environment/lab-environment.js';
import { startLab } from '../src/lab/index.js';
import { startGuard } from '../src/guard/start-guard.js';
import { planFault } from '../src/run/plan/build-plan.js';
import { createFaultSession } from '../src/run/session/fault-session.js';
import { journalFileName, openJournal } from '../src/run/record/journal.js';
import { acquireLock } from '../src/run/session/lock.js';
import { scanCluster } from '../src/run/recover/recover-scan.js';
import type { Fault } from '../src/scenario/types.js';

const runs = Number(process.env.BENCH_RUNS ?? 10);
const leaseSeconds = Number(process.env.BENCH_LEASE_S ?? 3);
const graceMs = Number(process.env.BENCH_GRACE_MS ?? 2000);
const central = { kind: 'named' as const, names: ['central'] };
const faults: Record<string, Fault> = {
  scale: {
    id: 'scale-1',
    type: 'scale',
    clusters: central,
    kind: 'Deployment',
    name: 'frontend',
    replicas: 0,
    allowDataLoss: false,
  },
  'istio-abort': {
    id: 'abort-1',
    type: 'istio-abort',
    clusters: central,
    host: 'frontend',
    via: 'ingress',
    percentage: 50,
    status: 503,
  },
  'istio-delay': {
    id: 'delay-1',
    type: 'istio-delay',
    clusters: central,
    host: 'balancereader',
    via: 'mesh',
    percentage: 100,
    delayMs: 50,
  },
  drain: {
    id: 'drain-1',
    type: 'drain',
    clusters: central,
    force: false,
    deleteEmptyDirData: false,
    allowDataLoss: false,
  },
};

const lab = await startLab({ ingressPort: 0, timing: { startupMs: 50, readinessMs: 50, terminationGraceMs: 200 } });
const environment = labEnvironment();
const apis = connectEnvironment(environment, { kubeconfigYaml: lab.kubeconfig() });
const api = apis.get('central')!;
const guard = await startGuard(
  new Map([['central', api]]),
  {
    graceMs,
    leaseSeconds: 3,
    resyncMs: 60_000,
    address: '127.0.0.1:0',
    timing: { pollIntervalMs: 100 },
    istioConvergence: environment.istioConvergence,
  },
  () => undefined,
);
const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-guard-'));
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const leftovers = async () => (await scanCluster(api)).mutations.length;

async function once(type: string, index: number): Promise<{ gone: number; verified: number }> {
  const runId = `b${Date.now().toString(36)}${index}`;
  const journal = await openJournal(path.join(dir, runId, journalFileName));
  const session = createFaultSession({ runId, apis, journal, timing: { pollIntervalMs: 100 } });
  const reverted = guard.metrics.of('central').revertsDone;
  const lock = await acquireLock(new Map([['central', api]]), { runId, leaseSeconds, renew: false });
  const lease = await api.readLease('chaos-system', 'chaos-lock');
  const renewedAt = new Date(lease.spec!.renewTime!).getTime();
  const fault = planFault(faults[type]!, environment, runId);
  const [applied] = await session.apply({ name: 'fault', startMs: 0, durationMs: 600_000, faults: [fault] });
  const expected = reverted + (applied?.mutations.filter((m) => m.kind !== 'evict').length ?? 0);
  void lock; // Never renewed, never released: the run is dead from here.
  let gone = 0;
  for (let i = 0; i < 1200; i += 1) {
    if (!gone && (await leftovers()) === 0) gone = Date.now() - renewedAt;
    if (gone && guard.metrics.of('central').revertsDone >= expected) break;
    await pause(50);
  }
  const verified = Date.now() - renewedAt;
  await journal.close();
  if (!gone || guard.metrics.of('central').revertsDone < expected)
    throw new Error(`${type}: not reverted and verified within 60 s of the last renewal (a timeout is not a result)`);
  return { gone, verified };
}

const stats = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  const median = sorted.length % 2 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return `median ${(median / 1000).toFixed(2)} s, max ${(sorted[sorted.length - 1]! / 1000).toFixed(2)} s`;
};

console.log(
  `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, Node ${process.version}, load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}; Lease ${leaseSeconds} s + grace ${graceMs / 1000} s = floor ${leaseSeconds + graceMs / 1000} s`,
);
console.log('| fault | runs | last renewal → nothing left (scan) | last renewal → every undo verified |');
console.log('|---|---|---|---|');
for (const type of Object.keys(faults)) {
  const results: Array<{ gone: number; verified: number }> = [];
  for (let i = 0; i < runs; i += 1) results.push(await once(type, i));
  console.log(
    `| ${type} | ${runs} | ${stats(results.map((r) => r.gone))} | ${stats(results.map((r) => r.verified))} |`,
  );
}
await guard.stop();
await lab.stop();
rmSync(dir, { recursive: true, force: true });
