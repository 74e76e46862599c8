/**
 * coordination.k8s.io Leases: the one-run-at-a-time lock. Create, renew by an update that carries
 * the resourceVersion read last, lose the race with 409, and take over a lease that expired
 * (expiry is the holders' arithmetic on renewTime + leaseDurationSeconds; servers never expire it).
 */
import { V1MicroTime, type V1Lease } from '@kubernetes/client-node';
import { expect } from 'chai';
import { rawRequest } from '../../support/real-http.js';
import {
  expectApiError,
  expectFailureStatus,
  parseStatus,
  uniqueName,
  type ContractContext,
} from '../contract-context.js';

function lease(name: string, namespace: string, holder: string, renewTime: Date): V1Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace },
    spec: {
      holderIdentity: holder,
      leaseDurationSeconds: 15,
      acquireTime: new V1MicroTime(renewTime.getTime()),
      renewTime: new V1MicroTime(renewTime.getTime()),
    },
  };
}

/** client-node 1.4.0 hands MicroTime fields back as the server's string (6 fraction digits). */
function microTimeText(value: unknown): string {
  return value instanceof Date ? value.toISOString() : String(value);
}

export function leaseCases(context: () => ContractContext): void {
  describe('Lease', () => {
    it('creates a Lease and keeps its MicroTime renewTime to the microsecond', async () => {
      const ctx = context();
      const name = uniqueName('lease');
      const created = await ctx.coordination.createNamespacedLease({
        namespace: ctx.namespace,
        body: lease(name, ctx.namespace, 'run-a', new Date()),
      });
      expect(created.spec?.holderIdentity).to.equal('run-a');
      expect(created.spec?.leaseDurationSeconds).to.equal(15);
      expect(microTimeText(created.spec?.renewTime)).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      expect(created.metadata?.resourceVersion).to.be.a('string').and.not.equal('');
    });

    it('renews a Lease with an update that carries its resourceVersion', async () => {
      const ctx = context();
      const name = uniqueName('lease');
      const created = await ctx.coordination.createNamespacedLease({
        namespace: ctx.namespace,
        body: lease(name, ctx.namespace, 'run-a', new Date()),
      });
      const renewAt = new V1MicroTime(Date.now() + 1_000);
      const renewed = await ctx.coordination.replaceNamespacedLease({
        name,
        namespace: ctx.namespace,
        body: { ...created, spec: { ...created.spec, renewTime: renewAt } },
      });
      expect(renewed.metadata?.resourceVersion).to.not.equal(created.metadata?.resourceVersion);
      expect(microTimeText(renewed.spec?.renewTime)).to.equal(renewAt.toISOString());
    });

    it('refuses a second create of the same Lease with 409 AlreadyExists', async () => {
      const ctx = context();
      const name = uniqueName('lease');
      await ctx.coordination.createNamespacedLease({
        namespace: ctx.namespace,
        body: lease(name, ctx.namespace, 'run-a', new Date()),
      });
      const status = await expectApiError(
        ctx.coordination.createNamespacedLease({
          namespace: ctx.namespace,
          body: lease(name, ctx.namespace, 'run-b', new Date()),
        }),
        409,
      );
      expectFailureStatus(status, 409, 'AlreadyExists');
      expect(status.details).to.deep.include({ name, group: 'coordination.k8s.io', kind: 'leases' });
    });

    it('refuses a renewal with a stale resourceVersion with 409 Conflict', async () => {
      const ctx = context();
      const name = uniqueName('lease');
      const created = await ctx.coordination.createNamespacedLease({
        namespace: ctx.namespace,
        body: lease(name, ctx.namespace, 'run-a', new Date()),
      });
      await ctx.coordination.replaceNamespacedLease({
        name,
        namespace: ctx.namespace,
        body: { ...created, spec: { ...created.spec, holderIdentity: 'run-b' } },
      });
      const status = await expectApiError(
        ctx.coordination.replaceNamespacedLease({
          name,
          namespace: ctx.namespace,
          body: { ...created, spec: { ...created.spec, renewTime: new V1MicroTime() } },
        }),
        409,
      );
      expectFailureStatus(status, 409, 'Conflict');
      expect(status.details).to.deep.include({ name, group: 'coordination.k8s.io', kind: 'leases' });
      expect(status.message).to.contain('the object has been modified');
    });

    it('lets another holder take over an expired Lease with an update carrying its resourceVersion', async () => {
      const ctx = context();
      const name = uniqueName('lease');
      const expired = await ctx.coordination.createNamespacedLease({
        namespace: ctx.namespace,
        body: lease(name, ctx.namespace, 'crashed-run', new Date(Date.now() - 3_600_000)),
      });
      const read = await ctx.coordination.readNamespacedLease({ name, namespace: ctx.namespace });
      expect(read.spec?.holderIdentity, 'servers keep an expired Lease as it is').to.equal('crashed-run');
      const now = new V1MicroTime();
      const taken = await ctx.coordination.replaceNamespacedLease({
        name,
        namespace: ctx.namespace,
        body: {
          ...read,
          spec: {
            ...read.spec,
            holderIdentity: 'run-b',
            acquireTime: now,
            renewTime: now,
            leaseTransitions: (read.spec?.leaseTransitions ?? 0) + 1,
          },
        },
      });
      expect(taken.spec?.holderIdentity).to.equal('run-b');
      expect(taken.spec?.leaseTransitions).to.equal(1);
      expect(taken.metadata?.resourceVersion).to.not.equal(expired.metadata?.resourceVersion);
    });

    it('rejects a renewTime with millisecond precision with 400 BadRequest', async () => {
      const ctx = context();
      const name = uniqueName('lease');
      const response = await rawRequest(ctx.endpoint, {
        method: 'POST',
        path: `/apis/coordination.k8s.io/v1/namespaces/${ctx.namespace}/leases`,
        body: {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name },
          spec: { holderIdentity: 'run-a', leaseDurationSeconds: 15, renewTime: new Date().toISOString() },
        },
      });
      expect(response.status).to.equal(400);
      expectFailureStatus(parseStatus(response.text), 400, 'BadRequest');
    });

    it('refuses to delete a Lease whose resourceVersion precondition is stale with 409 Conflict', async () => {
      const ctx = context();
      const name = uniqueName('lease');
      const created = await ctx.coordination.createNamespacedLease({
        namespace: ctx.namespace,
        body: lease(name, ctx.namespace, 'run-a', new Date()),
      });
      const renewed = await ctx.coordination.replaceNamespacedLease({
        name,
        namespace: ctx.namespace,
        body: { ...created, spec: { ...created.spec, renewTime: new V1MicroTime() } },
      });
      const status = await expectApiError(
        ctx.coordination.deleteNamespacedLease({
          name,
          namespace: ctx.namespace,
          body: { preconditions: { resourceVersion: created.metadata?.resourceVersion } },
        }),
        409,
      );
      expectFailureStatus(status, 409, 'Conflict');
      await ctx.coordination.deleteNamespacedLease({
        name,
        namespace: ctx.namespace,
        body: { preconditions: { resourceVersion: renewed.metadata?.resourceVersion } },
      });
    });

    it('deletes a Lease and answers 404 NotFound afterwards', async () => {
      const ctx = context();
      const name = uniqueName('lease');
      await ctx.coordination.createNamespacedLease({
        namespace: ctx.namespace,
        body: lease(name, ctx.namespace, 'run-a', new Date()),
      });
      await ctx.coordination.deleteNamespacedLease({ name, namespace: ctx.namespace });
      const status = await expectApiError(
        ctx.coordination.readNamespacedLease({ name, namespace: ctx.namespace }),
        404,
      );
      expectFailureStatus(status, 404, 'NotFound');
      expect(status.details).to.deep.include({ name, group: 'coordination.k8s.io', kind: 'leases' });
    });
  });
}
