/**
 * The guard against two real kube-apiservers (controllers, kwok): `chaos run` killed with SIGKILL
 * during the fault and during the apply is reverted by `chaos guard` — running with only the RBAC of
 * deploy/guard/rbac.yaml (TokenRequest tokens) — with an Event on each object, and `chaos recover`
 * finds nothing afterwards. Two replicas: exactly one acts. A guard killed and restarted still
 * reverts. A live run is never touched; a hung harness (Lease renewed) past its expiry is reverted.
 * Leases are short (run lock 3 s, guard grace 2 s) so that each case takes seconds.
 */
import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { ExitCode } from '../../src/errors/exit-codes.js';
import { acquireLock } from '../../src/run/session/lock.js';
import { involvedObjectOf, revertedReason, revertingReason } from '../../src/guard/revert-events.js';
import { scanCluster } from '../../src/run/recover/recover-scan.js';
import { realServer, type FaultTestServer } from '../faults/support/servers.js';
import { newRunId, phaseOf, testTiming } from '../faults/support/session.js';
import { createFaultSession } from '../../src/run/session/fault-session.js';
import { journalFileName, openJournal } from '../../src/run/record/journal.js';
import type { Fault } from '../../src/scenario/types.js';
import { projectRoot, runChaosAsync } from '../support/cli.js';
import { leftoversIn, spawnChaos, startGuardChild, sum, type GuardChild } from '../support/guard-kit.js';
import { prepareGuardClusters } from '../support/guard-clusters.js';
import { waitFor } from '../support/wait.js';

const clusters = ['central', 'west'] as const;
const fixture = (name: string) => path.join(projectRoot, 'test/fixtures/real-api', name);
const appliedCount = (out: string) => [...out.matchAll(/fault \S+ applied in \w+/g)].length;

describe('chaos guard reverts what a killed run left (real kube-apiservers, shipped RBAC)', function () {
  this.timeout(600_000);
  let server: FaultTestServer;
  let ingress: Server;
  let runEnv: string;
  let guardEnv: string;
  const guards: GuardChild[] = [];

  const guardEvents = async (runId: string, reason = revertedReason) => {
    const events = await Promise.all(
      [...server.apis.values()].map(async (api) =>
        (await api.listEvents(undefined, `reason=${reason}`)).map((event) => ({ cluster: api.cluster, event })),
      ),
    );
    return events.flat().filter(({ event }) => event.message?.includes(`of run ${runId} `));
  };
  const objectOf = ({ cluster, event }: Awaited<ReturnType<typeof guardEvents>>[number]) =>
    `${cluster}/${event.involvedObject.kind}/${event.involvedObject.name}`;
  /** When the run last renewed its lock Lease in each cluster (read right after the kill, before anyone takes it). */
  const lastRenewals = async () =>
    Promise.all(
      [...server.apis.values()].map(async (api) => {
        const lease = await api.readLease('chaos-system', 'chaos-lock');
        return Date.parse(String(lease.spec?.renewTime ?? ''));
      }),
    );

  const startGuard = async () => {
    const guard = await startGuardChild(['--env', guardEnv], server.dir);
    guards.push(guard);
    return guard;
  };

  const recoverFindsNothing = async () => {
    const recovered = await runChaosAsync(['recover', '--env', runEnv, '--reports', 'none'], {
      cwd: server.dir,
      timeoutMs: 120_000,
    });
    expect(recovered.code, recovered.stdout + recovered.stderr).to.equal(ExitCode.passed);
    expect(recovered.stdout).to.match(/nothing to recover/);
  };

  before(async () => {
    server = await realServer.start();
    ({ ingress, runEnv, guardEnv } = await prepareGuardClusters(server));
  });
  afterEach(async () => {
    // SIGTERM: a clean stop releases the guard Lease (the exit code says it stopped cleanly).
    for (const guard of guards.splice(0)) {
      const exit = await guard.kill('SIGTERM');
      expect(exit, guard.output()).to.be.oneOf(['0/null', 'null/SIGKILL']);
    }
  });
  after(async () => {
    if (ingress) await new Promise((resolve) => ingress.close(resolve));
    await server?.stop();
  });

  it('killed during the fault, two guard replicas: exactly one reverts every mutation, with an Event each', async () => {
    const [first, second] = [await startGuard(), await startGuard()];
    await waitFor(
      async () =>
        sum(await first.metrics(), 'chaos_guard_leader') + sum(await second.metrics(), 'chaos_guard_leader') === 2,
      {
        timeoutMs: 60_000,
        what: 'one leader per cluster',
      },
    );
    const health = await fetch(`${first.url}/healthz`, { signal: AbortSignal.timeout(10_000) });
    expect(health.status).to.equal(200);
    expect(await health.text()).to.match(/^ok: guard /);
    const run = spawnChaos(
      ['run', fixture('guard-faults-nodes.yaml'), '--env', runEnv, '--reports', 'reports'],
      server.dir,
    );
    await waitFor(() => appliedCount(run.output()) === 4 || run.child.exitCode !== null, {
      timeoutMs: 240_000,
      what: 'all four faults applied',
    });
    expect(run.output()).to.match(/guard in central: active/);
    // With only its shipped RBAC, each guard watches everything it guards (a refused watch is logged).
    for (const guard of [first, second]) expect(guard.output()).to.not.match(/not watching|cannot see everything/);
    const applied = await leftoversIn(server.apis);
    expect(await run.kill(), run.output()).to.equal('null/SIGKILL');
    const renewedAt = Math.max(...(await lastRenewals()));
    const runId = /"runId":"(\w+)"/.exec(applied.join('\n'))?.[1] ?? '?';
    // scale (central), routes (central, west), the drain's cordon of every west Node.
    expect(applied.filter((line) => line.startsWith('scale central')).length).to.equal(1);
    expect(applied.filter((line) => line.startsWith('cordon west')).length).to.be.greaterThan(0);
    expect(applied.filter((line) => /^(route-insert|virtualservice-create) /.test(line)).length).to.equal(2);

    await waitFor(async () => (await leftoversIn(server.apis)).length === 0, {
      timeoutMs: 180_000,
      what: 'the guard to revert every mutation',
    });
    // Events come after the guard has verified each undo (the annotations go first).
    const events = await waitFor(
      async () => {
        const found = await guardEvents(runId);
        return found.length >= applied.length && found;
      },
      { timeoutMs: 180_000, what: `an Event per mutation\n${first.output()}\n${second.output()}` },
    );
    const objects = events.map(objectOf);
    // Within the run's Lease (3 s) + the guard's grace (2 s) + 5 s of the last renewal, every
    // mutation is reverted and verified: each Event is written once its object is verified. Event
    // times have whole seconds (core/v1 Time), so they can only read early, never late.
    const boundMs = 3_000 + 2_000 + 5_000;
    const latest = Math.max(...events.map(({ event }) => Date.parse(String(event.lastTimestamp))));
    expect(Number.isFinite(renewedAt), 'the run renewed its Lease').to.equal(true);
    expect(latest - renewedAt, `last Event ${latest - renewedAt} ms after the last renewal`).to.be.at.most(boundMs);
    // One Event per mutation: exactly one replica acted.
    expect(objects.length, `${objects.join('\n')}\n${first.output()}\n${second.output()}`).to.equal(applied.length);
    expect(new Set(objects).size).to.equal(objects.length);
    const metrics = [await first.metrics(), await second.metrics()];
    // Per cluster one leader; the follower never even looked (no pass over the cluster).
    for (const cluster of clusters) {
      const leaders = metrics.map((m) => m[`chaos_guard_leader/${cluster}`]);
      expect(leaders.sort(), cluster).to.deep.equal([0, 1]);
      const follower = metrics.find((m) => m[`chaos_guard_leader/${cluster}`] === 0)!;
      expect(follower[`chaos_guard_reconciles_total/${cluster}`], JSON.stringify(metrics)).to.equal(0);
    }
    const reverts = metrics.map((m) => sum(m, 'chaos_guard_reverts_total'));
    expect(reverts.filter((count) => count > 0).length, JSON.stringify(reverts)).to.equal(1);
    expect(reverts[0]! + reverts[1]!).to.equal(applied.length);
    const central = server.apis.get('central')!;
    expect((await central.readWorkload('Deployment', 'bank-of-anthos', 'frontend')).spec?.replicas).to.equal(2);
    // Every west Node the drain cordoned is schedulable again (the cluster, not the guard's word).
    const westNodes = await server.apis.get('west')!.listNodes();
    expect(westNodes.filter((node) => node.spec?.unschedulable).map((node) => node.metadata?.name)).to.deep.equal([]);
    await recoverFindsNothing();
  });

  it('killed during the apply, the guard killed and restarted meanwhile: the new guard still reverts', async () => {
    const guard = await startGuard();
    await waitFor(async () => sum(await guard.metrics(), 'chaos_guard_leader') === 2, {
      timeoutMs: 60_000,
      what: 'the guard to lead',
    });
    const run = spawnChaos(['run', fixture('guard-faults.yaml'), '--env', runEnv, '--reports', 'reports'], server.dir);
    const seen = await waitFor(
      async () => {
        const found = (await leftoversIn(server.apis)).filter((line) => !line.startsWith('unscanned'));
        return found.length > 0 && found;
      },
      {
        timeoutMs: 240_000,
        intervalMs: 50,
        what: 'the first mutation',
      },
    );
    expect(await run.kill(), run.output()).to.equal('null/SIGKILL');
    expect(appliedCount(run.output())).to.be.lessThan(4);
    const runId = /"runId":"(\w+)"/.exec(seen.join('\n'))?.[1] ?? '?';
    // The objects the run had changed when it died, named as an Event names them.
    const left = (await Promise.all([...server.apis.values()].map((api) => scanCluster(api))))
      .flatMap((scan) => scan.mutations)
      .filter((mutation) => mutation.runId === runId)
      .flatMap((mutation) => {
        const object = involvedObjectOf(mutation);
        return object ? [`${mutation.cluster}/${object.kind}/${object.name}`] : [];
      });
    expect(left.length, 'the run changed something before it died').to.be.greaterThan(0);
    // The guard is killed in the middle of its revert: once it has said (an Event) it is at it.
    await waitFor(async () => (await guardEvents(runId, revertingReason)).length > 0, {
      timeoutMs: 120_000,
      intervalMs: 20,
      what: `the guard to start reverting\n${guard.output()}`,
    });
    expect(await guard.kill('SIGKILL')).to.equal('null/SIGKILL');
    guards.splice(guards.indexOf(guard), 1);
    const restarted = await startGuard();
    await waitFor(async () => (await leftoversIn(server.apis)).length === 0, {
      timeoutMs: 180_000,
      what: 'the restarted guard to revert',
    });
    // Every object the run had changed carries a "reverted and verified" Event: what the first
    // guard finished, from it; what it undid without saying so, from the restarted one, which found
    // the first one's record of what it had in hand on the lock and verified those too.
    const reverted = await waitFor(
      async () => {
        const seen = new Set((await guardEvents(runId)).map(objectOf));
        return left.every((object) => seen.has(object)) && seen;
      },
      { timeoutMs: 60_000, what: `a ChaosReverted Event on each of\n${left.join('\n')}\n${restarted.output()}` },
    );
    expect(left.filter((object) => !reverted.has(object))).to.deep.equal([]);
    const reverting = new Set((await guardEvents(runId, revertingReason)).map(objectOf));
    expect(
      left.filter((object) => !reverting.has(object)),
      'a "reverting" Event before any undo',
    ).to.deep.equal([]);
    await recoverFindsNothing();
  });

  it('with `chaos recover` started at the same moment as the guard acts: each mutation undone exactly once, by one of them', async () => {
    const guard = await startGuard();
    await waitFor(async () => sum(await guard.metrics(), 'chaos_guard_leader') === 2, {
      timeoutMs: 60_000,
      what: 'the guard to lead',
    });
    const run = spawnChaos(['run', fixture('guard-faults.yaml'), '--env', runEnv, '--reports', 'reports'], server.dir);
    await waitFor(() => appliedCount(run.output()) === 4 || run.child.exitCode !== null, {
      timeoutMs: 240_000,
      what: 'all four faults applied',
    });
    const applied = await leftoversIn(server.apis);
    expect(await run.kill(), run.output()).to.equal('null/SIGKILL');
    // A person runs recover (from another folder: no journal) while the guard judges the run dead.
    const recovered = await runChaosAsync(['recover', '--env', runEnv, '--reports', 'none'], {
      cwd: server.dir,
      timeoutMs: 180_000,
    });
    await waitFor(async () => (await leftoversIn(server.apis)).length === 0, {
      timeoutMs: 180_000,
      what: `everything reverted\n${recovered.stdout}\n${guard.output()}`,
    });
    const shown = `${recovered.stdout}\n${recovered.stderr}\n${guard.output()}`;
    // recover either did the work or found it locked by the guard (exit 3, naming that), never a failed undo.
    expect(recovered.code, shown).to.be.oneOf([ExitCode.passed, ExitCode.harnessError]);
    expect(recovered.stdout, shown).to.not.match(/NOT reverted/);
    for (const line of recovered.stderr.split('\n').filter((l) => l.startsWith('not checked:')))
      expect(line, shown).to.match(/not locked, so not touched: /);
    const byRecover = recovered.stdout.split('\n').filter((line) => line.startsWith('reverted: ')).length;
    const metrics = await guard.metrics();
    expect(sum(metrics, 'chaos_guard_revert_failures_total'), shown).to.equal(0);
    expect(byRecover + sum(metrics, 'chaos_guard_reverts_total'), shown).to.equal(applied.length);
    await recoverFindsNothing();
  });

  it('a live run is never touched; a hung harness that renews its Lease but is past expiry is reverted', async () => {
    const guard = await startGuard();
    await waitFor(async () => sum(await guard.metrics(), 'chaos_guard_leader') === 2, {
      timeoutMs: 60_000,
      what: 'the guard to lead',
    });
    const run = await runChaosAsync(['run', fixture('guard-live.yaml'), '--env', runEnv, '--reports', 'reports'], {
      cwd: server.dir,
      timeoutMs: 300_000,
    });
    expect(run.code, run.stdout + run.stderr).to.equal(ExitCode.passed);
    const live = await guard.metrics();
    expect(sum(live, 'chaos_guard_runs_seen_total'), JSON.stringify(live)).to.be.greaterThan(0);
    expect(sum(live, 'chaos_guard_reverts_total')).to.equal(0);
    expect(sum(live, 'chaos_guard_revert_failures_total')).to.equal(0);

    // Hung: the Lease is renewed (by this process) but nothing reverts; the fault expires in 2 s.
    const central = new Map([['central', server.apis.get('central')!]]);
    const runId = newRunId();
    const journal = await openJournal(path.join(server.dir, 'reports', `hung-${runId}`, journalFileName));
    const session = createFaultSession({ runId, apis: central, journal, timing: testTiming, expiryMarginMs: 0 });
    const lock = await acquireLock(central, { runId, leaseSeconds: 3 });
    try {
      const scale: Fault = {
        id: 'zero',
        type: 'scale',
        clusters: { kind: 'named', names: ['central'] },
        kind: 'Deployment',
        name: 'frontend',
        replicas: 0,
        allowDataLoss: false,
      };
      await session.apply(phaseOf(server, runId, [scale], 'fault', 2_000));
      await waitFor(async () => (await leftoversIn(server.apis)).length === 0, {
        timeoutMs: 120_000,
        what: 'the guard to revert the expired fault',
      });
      expect(lock.lost(), 'the guard never took the live Lease').to.equal(undefined);
      const [event] = await waitFor(
        async () => {
          const found = await guardEvents(runId);
          return found.length > 0 && found;
        },
        { timeoutMs: 120_000, what: `the guard's Event\n${guard.output()}` },
      );
      expect(event?.event.message).to.match(/chaos\.dev\/expires-in 2s has passed since this guard first saw it/);
    } finally {
      await session.revertAll('test end');
      await lock.release();
      await journal.close();
    }
  });

  it('requireGuard: true with no guard running refuses to start, exit 3, nothing changed', async () => {
    const required = path.join(server.dir, 'required-env.yaml');
    writeFileSync(required, stringify({ ...(parse(readFileSync(runEnv, 'utf8')) as object), requireGuard: true }));
    // No guard: the last one stopped cleanly and released its Lease.
    const run = await runChaosAsync(['run', fixture('guard-live.yaml'), '--env', required, '--reports', 'reports'], {
      cwd: server.dir,
      timeoutMs: 120_000,
    });
    expect(run.code, run.stdout + run.stderr).to.equal(ExitCode.harnessError);
    expect(run.stderr).to.match(/no active chaos guard in central, west.*requireGuard: true: nothing was changed/);
    expect(await leftoversIn(server.apis)).to.deep.equal([]);
    const lock = await server.apis
      .get('central')!
      .readLease('chaos-system', 'chaos-lock')
      .catch(() => undefined);
    expect(lock?.spec?.holderIdentity ?? '').to.equal('');
  });
});
