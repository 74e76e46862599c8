/**
 * Judged by 6: a second run against the same environment is refused while the first holds
 * the lock (and keeps renewing it), and proceeds once the lock expires. Against the lab and
 * real kube-apiservers: the Lease `chaos-lock` in every cluster.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { waitFor } from '../support/wait.js';
import { acquireLock, inspectLock, LockHeldError, lockName, type EnvironmentLock } from '../../src/run/session/lock.js';
import { apiOf, describeForEachServer } from '../faults/support/servers.js';

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

    it('takes over at once a lock whose holder is provably dead (same host, its pid gone)', async () => {
      const s = live();
      const dead = spawnSync('true').pid!;
      await acquireLock(s.apis, {
        runId: 'dead',
        holder: `dead root@${hostname()} pid ${dead}`,
        leaseSeconds: 300,
        renew: false,
      });
      const next = await acquireLock(s.apis, { runId: 'next', holder: 'next run', waitMs: 0 });
      held.push(next);
      expect(next.clusters).to.deep.equal(['central', 'west']);
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
  },
  { timeoutMs: 120_000 },
);
