/**
 * Istio custom resources: the fault patch (JSON patch guarded by a resourceVersion test), the
 * patch types a CRD accepts, and schema validation from Istio's CRDs.
 */
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { expect } from 'chai';
import { rawRequest } from '../../support/real-http.js';
import {
  expectApiError,
  expectFailureStatus,
  parseStatus,
  uniqueName,
  type ContractContext,
} from '../contract-context.js';

interface VirtualService {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace: string;
    resourceVersion?: string;
    annotations?: Record<string, string>;
    generation?: number;
  };
  spec: { hosts: string[]; gateways?: string[]; http: Record<string, unknown>[] };
}

const vsApi = { group: 'networking.istio.io', version: 'v1', plural: 'virtualservices' } as const;

function virtualService(
  name: string,
  namespace: string,
  http: Record<string, unknown>[] = [defaultRoute()],
): VirtualService {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    // A JSON patch can add a key only under an existing map, and servers drop an empty one.
    metadata: { name, namespace, annotations: { 'chaos.example.io/owner': 'contract' } },
    spec: { hosts: ['*'], gateways: ['asm-gateways/bank-gateway'], http },
  };
}

function defaultRoute(): Record<string, unknown> {
  return {
    name: 'frontend',
    route: [{ destination: { host: 'frontend.bank-of-anthos.svc.cluster.local', port: { number: 80 } } }],
  };
}

async function createVs(ctx: ContractContext, body: VirtualService): Promise<VirtualService> {
  return (await ctx.custom.createNamespacedCustomObject({
    ...vsApi,
    namespace: ctx.namespace,
    body,
  })) as VirtualService;
}

function faultPatch(resourceVersion: string): unknown[] {
  return [
    { op: 'test', path: '/metadata/resourceVersion', value: resourceVersion },
    { op: 'add', path: '/metadata/annotations/chaos.example.io~1run', value: 'run-1' },
    {
      op: 'add',
      path: '/spec/http/0',
      value: {
        name: 'chaos-run-1',
        fault: { abort: { httpStatus: 503, percentage: { value: 100 } } },
        route: defaultRoute().route,
      },
    },
  ];
}

export function istioCases(context: () => ContractContext): void {
  describe('Istio VirtualService', () => {
    it('JSON-patches a VirtualService after testing its resourceVersion', async () => {
      const ctx = context();
      const name = uniqueName('vs-patch');
      const created = await createVs(ctx, virtualService(name, ctx.namespace));
      const patched = (await ctx.custom.patchNamespacedCustomObject(
        { ...vsApi, namespace: ctx.namespace, name, body: faultPatch(created.metadata.resourceVersion ?? '') },
        setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
      )) as VirtualService;
      expect(patched.metadata.resourceVersion).to.not.equal(created.metadata.resourceVersion);
      expect(patched.metadata.annotations?.['chaos.example.io/run']).to.equal('run-1');
      expect(patched.spec.http.map((route) => route.name)).to.deep.equal(['chaos-run-1', 'frontend']);
      expect(patched.spec.http[0]).to.deep.include({
        fault: { abort: { httpStatus: 503, percentage: { value: 100 } } },
      });
      expect(patched.metadata.generation).to.equal((created.metadata.generation ?? 0) + 1);
    });

    it('refuses a JSON patch whose resourceVersion test is stale with 422 Invalid and changes nothing', async () => {
      const ctx = context();
      const name = uniqueName('vs-stale');
      const created = await createVs(ctx, virtualService(name, ctx.namespace));
      const stale = created.metadata.resourceVersion ?? '';
      await ctx.custom.patchNamespacedCustomObject(
        { ...vsApi, namespace: ctx.namespace, name, body: { metadata: { labels: { touched: 'yes' } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      const status = await expectApiError(
        ctx.custom.patchNamespacedCustomObject(
          { ...vsApi, namespace: ctx.namespace, name, body: faultPatch(stale) },
          setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
        ),
        422,
      );
      expectFailureStatus(status, 422, 'Invalid');
      // The real server says no more than this, whichever operation failed.
      expect(status.message).to.equal('the server rejected our request due to an error in our request');
      const after = (await ctx.custom.getNamespacedCustomObject({
        ...vsApi,
        namespace: ctx.namespace,
        name,
      })) as VirtualService;
      expect(after.spec.http.map((route) => route.name)).to.deep.equal(['frontend']);
      expect(after.metadata.annotations?.['chaos.example.io/run']).to.equal(undefined);
    });

    it('refuses a JSON patch that adds an annotation when the object has no annotations, with 422 Invalid', async () => {
      const ctx = context();
      const name = uniqueName('vs-noann');
      const bare = virtualService(name, ctx.namespace);
      delete bare.metadata.annotations;
      const created = await createVs(ctx, bare);
      expect(created.metadata.annotations).to.equal(undefined);
      const status = await expectApiError(
        ctx.custom.patchNamespacedCustomObject(
          { ...vsApi, namespace: ctx.namespace, name, body: faultPatch(created.metadata.resourceVersion ?? '') },
          setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
        ),
        422,
      );
      expectFailureStatus(status, 422, 'Invalid');
      const withMap = (await ctx.custom.patchNamespacedCustomObject(
        {
          ...vsApi,
          namespace: ctx.namespace,
          name,
          body: [
            { op: 'test', path: '/metadata/resourceVersion', value: created.metadata.resourceVersion },
            { op: 'add', path: '/metadata/annotations', value: { 'chaos.example.io/run': 'run-1' } },
          ],
        },
        setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
      )) as VirtualService;
      expect(withMap.metadata.annotations).to.deep.equal({ 'chaos.example.io/run': 'run-1' });
    });

    it('refuses an update with a stale resourceVersion with 409 Conflict', async () => {
      const ctx = context();
      const name = uniqueName('vs-conflict');
      const created = await createVs(ctx, virtualService(name, ctx.namespace));
      await ctx.custom.patchNamespacedCustomObject(
        { ...vsApi, namespace: ctx.namespace, name, body: { metadata: { labels: { touched: 'yes' } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      const status = await expectApiError(
        ctx.custom.replaceNamespacedCustomObject({ ...vsApi, namespace: ctx.namespace, name, body: created }),
        409,
      );
      expectFailureStatus(status, 409, 'Conflict');
      expect(status.details?.name).to.equal(name);
      expect(status.details?.group).to.equal('networking.istio.io');
      expect(status.details?.kind).to.equal('virtualservices');
    });

    it('merge-patches the annotations of a VirtualService and removes one with null', async () => {
      const ctx = context();
      const name = uniqueName('vs-merge');
      await createVs(ctx, virtualService(name, ctx.namespace));
      const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
      const added = (await ctx.custom.patchNamespacedCustomObject(
        {
          ...vsApi,
          namespace: ctx.namespace,
          name,
          body: { metadata: { annotations: { 'chaos.example.io/run': 'r2' } } },
        },
        merge,
      )) as VirtualService;
      expect(added.metadata.annotations?.['chaos.example.io/run']).to.equal('r2');
      const removed = (await ctx.custom.patchNamespacedCustomObject(
        {
          ...vsApi,
          namespace: ctx.namespace,
          name,
          body: { metadata: { annotations: { 'chaos.example.io/run': null } } },
        },
        merge,
      )) as VirtualService;
      expect(removed.metadata.annotations?.['chaos.example.io/run']).to.equal(undefined);
    });

    it('rejects a strategic merge patch on a custom resource with 415 UnsupportedMediaType', async () => {
      const ctx = context();
      const name = uniqueName('vs-smp');
      await createVs(ctx, virtualService(name, ctx.namespace));
      const response = await rawRequest(ctx.endpoint, {
        method: 'PATCH',
        path: `/apis/networking.istio.io/v1/namespaces/${ctx.namespace}/virtualservices/${name}`,
        body: { metadata: { labels: { smp: 'yes' } } },
        contentType: PatchStrategy.StrategicMergePatch,
      });
      expect(response.status).to.equal(415);
      expect(String(response.headers['content-type'])).to.contain('application/json');
      const status = parseStatus(response.text);
      expectFailureStatus(status, 415, 'UnsupportedMediaType');
      expect(status.message).to.contain('application/merge-patch+json');
    });

    it('rejects a VirtualService whose field has the wrong type with 422 Invalid naming the field', async () => {
      const ctx = context();
      const name = uniqueName('vs-type');
      const route = { ...defaultRoute(), fault: { abort: { httpStatus: 'five hundred', percentage: { value: 100 } } } };
      const status = await expectApiError(createVs(ctx, virtualService(name, ctx.namespace, [route])), 422);
      expectFailureStatus(status, 422, 'Invalid');
      expect(status.details?.name).to.equal(name);
      expect(status.details?.kind).to.equal('VirtualService');
      expect(status.details?.causes?.map((cause) => cause.field)).to.include('spec.http[0].fault.abort.httpStatus');
    });

    it('rejects a fault delay below 1ms with 422 Invalid from the CRD validation rule', async () => {
      const ctx = context();
      const name = uniqueName('vs-rule');
      const route = { ...defaultRoute(), fault: { delay: { fixedDelay: '0s', percentage: { value: 100 } } } };
      const status = await expectApiError(createVs(ctx, virtualService(name, ctx.namespace, [route])), 422);
      expectFailureStatus(status, 422, 'Invalid');
      const cause = status.details?.causes?.find(
        (candidate) => candidate.field === 'spec.http[0].fault.delay.fixedDelay',
      );
      expect(cause?.message).to.contain('greater than 1ms');
    });

    it('lists VirtualServices in one namespace and across all namespaces', async () => {
      const ctx = context();
      const name = uniqueName('vs-list');
      await createVs(ctx, virtualService(name, ctx.namespace));
      const namespaced = (await ctx.custom.listNamespacedCustomObject({ ...vsApi, namespace: ctx.namespace })) as {
        kind?: string;
        items: VirtualService[];
      };
      expect(namespaced.kind).to.equal('VirtualServiceList');
      expect(namespaced.items.map((item) => item.metadata.name)).to.include(name);
      const everywhere = (await ctx.custom.listClusterCustomObject({ ...vsApi })) as { items: VirtualService[] };
      expect(everywhere.items.map((item) => `${item.metadata.namespace}/${item.metadata.name}`)).to.include(
        `${ctx.namespace}/${name}`,
      );
    });

    it('deletes a VirtualService with a resourceVersion precondition, and refuses a stale one with 409 Conflict', async () => {
      const ctx = context();
      const name = uniqueName('vs-del');
      const created = await createVs(ctx, virtualService(name, ctx.namespace));
      const moved = (await ctx.custom.patchNamespacedCustomObject(
        { ...vsApi, namespace: ctx.namespace, name, body: { metadata: { labels: { touched: 'yes' } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      )) as VirtualService;
      const status = await expectApiError(
        ctx.custom.deleteNamespacedCustomObject({
          ...vsApi,
          namespace: ctx.namespace,
          name,
          body: { preconditions: { resourceVersion: created.metadata.resourceVersion } },
        }),
        409,
      );
      expectFailureStatus(status, 409, 'Conflict');
      // With the current resourceVersion the delete goes through. A mesh's control plane may write
      // the object's status meanwhile (istiod, the lab's: Reconciled); then read it again and retry.
      let current = moved;
      for (let attempt = 0; ; attempt += 1) {
        try {
          await ctx.custom.deleteNamespacedCustomObject({
            ...vsApi,
            namespace: ctx.namespace,
            name,
            body: { preconditions: { resourceVersion: current.metadata.resourceVersion } },
          });
          break;
        } catch (error) {
          if (attempt >= 3 || (error as { code?: number }).code !== 409) throw error;
          current = (await ctx.custom.getNamespacedCustomObject({
            ...vsApi,
            namespace: ctx.namespace,
            name,
          })) as VirtualService;
        }
      }
      await expectApiError(ctx.custom.getNamespacedCustomObject({ ...vsApi, namespace: ctx.namespace, name }), 404);
    });

    it('creates, reads and deletes a DestinationRule with outlier detection', async () => {
      const ctx = context();
      const name = uniqueName('dr');
      const drApi = {
        group: 'networking.istio.io',
        version: 'v1',
        plural: 'destinationrules',
        namespace: ctx.namespace,
      } as const;
      await ctx.custom.createNamespacedCustomObject({
        ...drApi,
        body: {
          apiVersion: 'networking.istio.io/v1',
          kind: 'DestinationRule',
          metadata: { name, namespace: ctx.namespace },
          spec: {
            host: 'frontend.bank-of-anthos.svc.cluster.local',
            trafficPolicy: { outlierDetection: { consecutive5xxErrors: 1, interval: '1s', baseEjectionTime: '30s' } },
          },
        },
      });
      const read = (await ctx.custom.getNamespacedCustomObject({ ...drApi, name })) as {
        spec: { trafficPolicy: unknown };
      };
      expect(read.spec.trafficPolicy).to.deep.equal({
        outlierDetection: { consecutive5xxErrors: 1, interval: '1s', baseEjectionTime: '30s' },
      });
      await ctx.custom.deleteNamespacedCustomObject({ ...drApi, name });
      const status = await expectApiError(ctx.custom.getNamespacedCustomObject({ ...drApi, name }), 404);
      expectFailureStatus(status, 404, 'NotFound');
    });
  });
}
