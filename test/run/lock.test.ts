/**
 * Judged by 6: a second run against the same environment is refused while the first holds
 * the lock (and keeps renewing it), and proceeds once the lock expires. Against the lab and
 * real kube-apiservers: the Lease `chaos-lock` in every cluster.
 */
import { readlinkSync } from 'node:fs';
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { waitFor } from '../support/wait.js';
import path from 'node:path';
import type { ClusterApi } from '../../src/kube/cluster-api.js';
import { journalFileName, openJournal } from '../../src/run/record/journal.js';
import { createFaultSession } from '../../src/run/session/fault-session.js';
import {
  acquireLock,
  inspectLock,
  LockHeldError,
  LockLostError,
  lockName,
  type EnvironmentLock,
} from '../../src/run/session/lock.js';
import type { Fault } from '../../src/scenario/types.js';
import { bankNamespace } from '../fixtures/real-api/bank-of-anthos.js';
import { apiOf, describeForEachServer } from '../faults/support/servers.js';
import { newRunId, phaseOf, testTiming } from '../faults/support/session.js';

/** This process's pid namespace, as defaultHolder writes it (Linux), or undefined. */
const ourPidNamespace = (() => {
  try {
    return /\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/pid'))?.[1];
  } catch {
    return undefined;
  }
})();

function refusal(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('the lock must be refused'),
    (error: unknown) => error,
  );
}

describeForEachServer(
  (label) => `environment lock against ${label}`,
  (live) => {
    const held: EnvironmentLock[] = [];
    afterEach(async () => {
      for (const lock of held.splice(0)) await lock.release();
    });

    it('refuses a second run while the first holds and renews the lock, naming the holder', async () => {
      const s = live();
      const first = await acquireLock(s.apis, {
        namespace: s.namespace,
        runId: 'first',
        holder: 'first run',
        leaseSeconds: 2,
      });
      held.push(first);
      expect(first.clusters).to.deep.equal(['central', 'west']);
      const error = await refusal(
        acquireLock(s.apis, { namespace: s.namespace, runId: 'second', holder: 'second run' }),
      );
      expect(error).to.be.instanceOf(LockHeldError);
      expect((error as LockHeldError).message)
        .to.include('first run')
        .and.include(lockName);
      // Waiting longer than the lease does not help while the holder renews it.
      const stillRefused = await refusal(
        acquireLock(s.apis, {
          namespace: s.namespace,
          runId: 'second',
          holder: 'second run',
          waitMs: 3_000,
          pollMs: 250,
        }),
      );
      expect(stillRefused).to.be.instanceOf(LockHeldError);
      expect(first.lost()).to.equal(undefined);
    });

    it('lets a second run take over once the first stops renewing and its lease expires', async () => {
      const s = live();
      // A run that died: it took the lock and never renews it (and never releases it).
      await acquireLock(s.apis, {
        namespace: s.namespace,
        runId: 'dead',
        holder: 'dead run',
        leaseSeconds: 2,
        renew: false,
      });
      await refusal(acquireLock(s.apis, { namespace: s.namespace, runId: 'next', holder: 'next run' }));
      const next = await acquireLock(s.apis, {
        namespace: s.namespace,
        runId: 'next',
        holder: 'next run',
        waitMs: 90_000, // bounds a condition wait: the dead run's 2 s lease expiring
        pollMs: 250,
      });
      held.push(next);
      const lease = await apiOf(s, 'central').readLease(s.namespace, lockName);
      expect(lease.spec?.holderIdentity).to.equal('next run');
      expect(lease.spec?.leaseTransitions).to.be.at.least(1);
      const states = await inspectLock(s.apis, s.namespace);
      expect(states.map((state) => [state.cluster, state.holder, state.stale])).to.have.deep.members([
        ['central', 'next run', false],
        ['west', 'next run', false],
      ]);
    });

    it('releases the Leases at the end, so the next run starts at once', async () => {
      const s = live();
      const first = await acquireLock(s.apis, { namespace: s.namespace, runId: 'a', holder: 'run a' });
      expect(await first.release()).to.deep.equal([]);
      const second = await acquireLock(s.apis, { namespace: s.namespace, runId: 'b', holder: 'run b' });
      held.push(second);
      expect(second.holder).to.equal('run b');
    });

    it('leaves no Lease behind when another run holds the lock in one cluster only', async () => {
      const s = live();
      const westOnly = new Map([['west', apiOf(s, 'west')]]);
      const other = await acquireLock(westOnly, { namespace: s.namespace, runId: 'other', holder: 'other run' });
      held.push(other);
      await refusal(acquireLock(s.apis, { namespace: s.namespace, runId: 'mine', holder: 'my run' }));
      const [central] = await inspectLock(new Map([['central', apiOf(s, 'central')]]), s.namespace);
      expect(central?.holder).to.equal(undefined);
    });

    it('a holder whose clock runs 60 s ahead does not take over a live lock (expiry is what this process observes)', async () => {
      const s = live();
      const first = await acquireLock(s.apis, { runId: 'live', holder: 'live run', leaseSeconds: 2 });
      held.push(first);
      const ahead = () => Date.now() + 60_000;
      const error = await refusal(
        acquireLock(s.apis, { runId: 'fast', holder: 'fast clock', now: ahead, waitMs: 6_000, pollMs: 250 }),
      );
      expect(error).to.be.instanceOf(LockHeldError);
      expect(first.lost()).to.equal(undefined);
    });

    it('takes over at once a lock whose holder is provably dead (same host, same pid namespace, its pid gone)', async () => {
      const s = live();
      const dead = spawnSync('true').pid!;
      await acquireLock(s.apis, {
        runId: 'dead',
        holder: `dead root@${hostname()} pid ${dead}${ourPidNamespace ? ` pidns ${ourPidNamespace}` : ''}`,
        leaseSeconds: 300,
        renew: false,
      });
      const next = await acquireLock(s.apis, { runId: 'next', holder: 'next run', waitMs: 0 });
      held.push(next);
      expect(next.clusters).to.deep.equal(['central', 'west']);
    });

    it('a holder of our hostname in another pid namespace, or naming none, is not provably dead: refused', async () => {
      const s = live();
      const dead = spawnSync('true').pid!;
      // Another container with our hostname (a CI runner's, a Pod's): its pid is not ours to check,
      // whatever kill(pid, 0) says here; an identity naming no namespace proves no more.
      for (const suffix of [` pidns ${ourPidNamespace ?? '0'}1`, '']) {
        const holder = `sibling root@${hostname()} pid ${dead}${suffix}`;
        await acquireLock(s.apis, { runId: 'sibling', holder, leaseSeconds: 300, renew: false });
        const error = await refusal(acquireLock(s.apis, { runId: 'next', holder: 'next run', waitMs: 0 }));
        expect(error, holder).to.be.instanceOf(LockHeldError);
        expect((await inspectLock(s.apis)).map((state) => state.stale)).to.deep.equal([false, false]);
        await Promise.all([...s.apis.values()].map((api) => api.deleteLease('chaos-system', 'chaos-lock')));
      }
    });

    it('tells the holder it lost the lock when another run took it over', async () => {
      const s = live();
      let lostIn: string | undefined;
      const mine = await acquireLock(s.apis, {
        namespace: s.namespace,
        runId: 'mine',
        holder: 'my run',
        leaseSeconds: 1,
        onLost: (cluster) => {
          lostIn = cluster;
        },
      });
      const central = apiOf(s, 'central');
      const lease = await central.readLease(s.namespace, lockName);
      await central.replaceLease(s.namespace, lockName, {
        ...lease,
        spec: { ...lease.spec, holderIdentity: 'usurper', renewTime: lease.spec?.renewTime, leaseDurationSeconds: 60 },
      });
      await waitFor(() => mine.lost(), { timeoutMs: 60_000, what: 'the holder to notice it lost the lock' });
      expect(mine.lost()).to.match(/lost/);
      expect(lostIn).to.equal('central');
      await mine.release();
      await central.deleteLease(s.namespace, lockName);
    });

    it('a renewal never re-creates a Lease a take-over deleted: the holder is told, once, and the Lease stays gone', async () => {
      const s = live();
      const told: string[] = [];
      const mine = await acquireLock(s.apis, {
        namespace: s.namespace,
        runId: 'paused',
        holder: 'paused run',
        leaseSeconds: 1,
        onLost: (cluster) => told.push(cluster),
      });
      held.push(mine);
      // A guard took the quiet Lease over, reverted, and released it (deleted) while we were paused.
      const central = apiOf(s, 'central');
      await central.deleteLease(s.namespace, lockName);
      await waitFor(() => mine.lost(), { timeoutMs: 60_000, what: 'the holder to notice its Lease is gone' });
      expect(mine.lost()).to.match(/lock of central lost: its Lease is gone/);
      // Renewals go on for west (still ours) and never bring central's Lease back.
      const west = apiOf(s, 'west');
      const westBefore = (await west.readLease(s.namespace, lockName)).metadata?.resourceVersion;
      await waitFor(
        async () => (await west.readLease(s.namespace, lockName)).metadata?.resourceVersion !== westBefore,
        { timeoutMs: 60_000, what: 'a later renewal of west' },
      );
      const [state] = await inspectLock(new Map([['central', central]]), s.namespace);
      expect(state?.holder, 'the deleted Lease was re-created').to.equal(undefined);
      expect(told).to.deep.equal(['central']);
    });

    it('fence: passes while the Lease is the record taken; refuses, and marks the lock lost, once a guard holds it', async () => {
      const s = live();
      const told: string[] = [];
      const mine = await acquireLock(s.apis, {
        namespace: s.namespace,
        runId: 'fenced',
        holder: 'fenced run',
        leaseSeconds: 60,
        onLost: (cluster) => told.push(cluster),
      });
      held.push(mine);
      await mine.fence('central');
      await mine.fence('west');
      const west = apiOf(s, 'west');
      const lease = await west.readLease(s.namespace, lockName);
      await west.replaceLease(s.namespace, lockName, {
        ...lease,
        spec: { ...lease.spec, holderIdentity: 'guard-revert guard-1' },
      });
      const error = await refusal(mine.fence('west'));
      expect(error).to.be.instanceOf(LockLostError);
      expect((error as LockLostError).message).to.match(/lock of west lost: its Lease is now held by guard-revert/);
      expect(mine.lost()).to.match(/west/);
      expect(told).to.deep.equal(['west']);
      // The other cluster's lock is untouched and still passes its fence.
      await mine.fence('central');
      await west.deleteLease(s.namespace, lockName);
    });

    it('a fault session fenced by a lost lock changes nothing', async () => {
      const s = live();
      const runId = newRunId();
      const mine = await acquireLock(s.apis, {
        namespace: s.namespace,
        runId,
        holder: `${runId} run`,
        leaseSeconds: 60,
      });
      held.push(mine);
      const journal = await openJournal(path.join(s.dir, 'reports', `fenced-${runId}`, journalFileName));
      const session = createFaultSession({
        runId,
        apis: s.apis,
        journal,
        timing: testTiming,
        fence: (cluster) => mine.fence(cluster),
      });
      const central = apiOf(s, 'central');
      const before = (await central.readWorkload('Deployment', bankNamespace, 'frontend')).spec?.replicas;
      await central.deleteLease(s.namespace, lockName);
      const scale: Fault = {
        id: 'zero',
        type: 'scale',
        clusters: { kind: 'named', names: ['central'] },
        kind: 'Deployment',
        name: 'frontend',
        replicas: 0,
        allowDataLoss: false,
      };
      try {
        const error = await refusal(session.apply(phaseOf(s, runId, [scale], 'fault', 60_000)));
        expect(String(error)).to.match(/lock of central lost/);
        const after = await central.readWorkload('Deployment', bankNamespace, 'frontend');
        expect(after.spec?.replicas).to.equal(before);
        expect(after.metadata?.annotations?.['chaos.dev/run']).to.equal(undefined);
      } finally {
        await session.revertAll('test end');
        await journal.close();
      }
    });

    it('one slow API server stops only its own cluster: the other renews on, the slow one alone is lost after its lease', async () => {
      const s = live();
      const told: string[] = [];
      let hang = false;
      const waiting: Array<() => void> = [];
      const stall = <T>(call: () => Promise<T>): Promise<T> =>
        hang ? new Promise<T>((resolve, reject) => waiting.push(() => call().then(resolve, reject))) : call();
      const westApi = apiOf(s, 'west');
      const slowWest: ClusterApi = {
        ...westApi,
        readLease: (namespace, name) => stall(() => westApi.readLease(namespace, name)),
        replaceLease: (namespace, name, lease) => stall(() => westApi.replaceLease(namespace, name, lease)),
      };
      const apis = new Map([
        ['central', apiOf(s, 'central')],
        ['west', slowWest],
      ]);
      const mine = await acquireLock(apis, {
        namespace: s.namespace,
        runId: 'split',
        holder: 'split run',
        leaseSeconds: 2,
        onLost: (cluster) => told.push(cluster),
      });
      hang = true;
      try {
        const central = apiOf(s, 'central');
        const versions = new Set<string>();
        // Two renewals of central land while every west call hangs.
        await waitFor(
          async () => {
            versions.add(String((await central.readLease(s.namespace, lockName)).metadata?.resourceVersion));
            return versions.size >= 3;
          },
          { timeoutMs: 60_000, intervalMs: 100, what: "central's renewals while west hangs" },
        );
        await waitFor(() => told.includes('west'), { timeoutMs: 60_000, what: 'west to be lost on its own deadline' });
        expect(told).to.deep.equal(['west']);
        expect(mine.lost()).to.match(/lock of west lost: not renewed/);
      } finally {
        hang = false;
        for (const resume of waiting.splice(0)) resume();
        await mine.release();
      }
    });
  },
  { timeoutMs: 120_000 },
);
