/**
 * Watch streams, as the runner and the lab's informers use them: events in order, resourceVersion
 * replay, and the synthetic ADDED events of a watch that starts without a resourceVersion.
 * Leases are the watched kind because every server under contract serves them.
 */
import { Watch, type V1Lease } from '@kubernetes/client-node';
import { expect } from 'chai';
import { uniqueName, type ContractContext } from '../contract-context.js';

interface WatchEvent {
  type: string;
  name: string;
  resourceVersion: string;
}

interface ObjectWithMeta {
  metadata?: { name?: string; resourceVersion?: string };
}

/** Watches until `enough(events)` or the time limit; always aborts the stream. */
async function collectEvents(
  ctx: ContractContext,
  query: Record<string, string>,
  enough: (events: WatchEvent[]) => boolean,
  timeoutMs = 15_000,
): Promise<WatchEvent[]> {
  const events: WatchEvent[] = [];
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const timer = setTimeout(finish, timeoutMs);
  const path = `/apis/coordination.k8s.io/v1/namespaces/${ctx.namespace}/leases`;
  try {
    const controller = await new Watch(ctx.kubeConfig).watch(
      path,
      query,
      (type: string, object: ObjectWithMeta) => {
        events.push({
          type,
          name: object.metadata?.name ?? '',
          resourceVersion: object.metadata?.resourceVersion ?? '',
        });
        if (enough(events)) finish();
      },
      () => finish(),
    );
    await finished;
    controller.abort();
    return events;
  } finally {
    clearTimeout(timer);
  }
}

function lease(name: string, namespace: string, label: string): V1Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace, labels: { 'chaos.example.io/watch': label } },
    spec: { holderIdentity: 'watcher', leaseDurationSeconds: 15 },
  };
}

export function watchCases(context: () => ContractContext): void {
  describe('watch', () => {
    it('streams ADDED, MODIFIED and DELETED in order, each with the resourceVersion of the change', async () => {
      const ctx = context();
      const label = uniqueName('w');
      const name = `${label}-lease`;
      const list = await ctx.coordination.listNamespacedLease({
        namespace: ctx.namespace,
        labelSelector: `chaos.example.io/watch=${label}`,
      });
      const done = collectEvents(
        ctx,
        { resourceVersion: list.metadata?.resourceVersion ?? '', labelSelector: `chaos.example.io/watch=${label}` },
        (events) => events.some((event) => event.type === 'DELETED'),
      );
      // Give the stream a moment to open; the resourceVersion makes the order independent of it.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const created = await ctx.coordination.createNamespacedLease({
        namespace: ctx.namespace,
        body: lease(name, ctx.namespace, label),
      });
      const updated = await ctx.coordination.replaceNamespacedLease({
        name,
        namespace: ctx.namespace,
        body: { ...created, spec: { ...created.spec, holderIdentity: 'watcher-2' } },
      });
      await ctx.coordination.deleteNamespacedLease({ name, namespace: ctx.namespace });
      const events = await done;
      expect(events.map((event) => event.type)).to.deep.equal(['ADDED', 'MODIFIED', 'DELETED']);
      expect(events.map((event) => event.name)).to.deep.equal([name, name, name]);
      expect(events[0]?.resourceVersion).to.equal(created.metadata?.resourceVersion);
      expect(events[1]?.resourceVersion).to.equal(updated.metadata?.resourceVersion);
      expect(events[2]?.resourceVersion).to.not.equal(updated.metadata?.resourceVersion);
    });

    it('replays the changes made after the resourceVersion a watch starts from', async () => {
      const ctx = context();
      const label = uniqueName('r');
      const name = `${label}-lease`;
      const list = await ctx.coordination.listNamespacedLease({
        namespace: ctx.namespace,
        labelSelector: `chaos.example.io/watch=${label}`,
      });
      const created = await ctx.coordination.createNamespacedLease({
        namespace: ctx.namespace,
        body: lease(name, ctx.namespace, label),
      });
      const updated = await ctx.coordination.replaceNamespacedLease({
        name,
        namespace: ctx.namespace,
        body: { ...created, spec: { ...created.spec, holderIdentity: 'replayed' } },
      });
      const events = await collectEvents(
        ctx,
        { resourceVersion: list.metadata?.resourceVersion ?? '', labelSelector: `chaos.example.io/watch=${label}` },
        (seen) => seen.length >= 2,
      );
      expect(events.map((event) => `${event.type} ${event.resourceVersion}`)).to.deep.equal([
        `ADDED ${created.metadata?.resourceVersion}`,
        `MODIFIED ${updated.metadata?.resourceVersion}`,
      ]);
    });

    it('starts with ADDED for every existing object when no resourceVersion is given', async () => {
      const ctx = context();
      const label = uniqueName('s');
      const names = [`${label}-a`, `${label}-b`];
      for (const name of names)
        await ctx.coordination.createNamespacedLease({
          namespace: ctx.namespace,
          body: lease(name, ctx.namespace, label),
        });
      const events = await collectEvents(
        ctx,
        { labelSelector: `chaos.example.io/watch=${label}` },
        (seen) => seen.length >= 2,
      );
      expect(events.map((event) => event.type)).to.deep.equal(['ADDED', 'ADDED']);
      expect(events.map((event) => event.name).sort()).to.deep.equal(names);
    });
  });
}
