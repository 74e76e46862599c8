/**
 * Raw HTTP: status codes, content types and `Status` bodies exactly as a client sees them, and
 * the discovery documents clients read before they call (kubectl drain looks for pods/eviction).
 */
import { expect } from 'chai';
import { jsonOf, rawRequest } from '../../support/real-http.js';
import {
  expectFailureStatus,
  parseStatus,
  placeholderContainer,
  uniqueName,
  type ContractContext,
} from '../contract-context.js';

interface ApiResourceList {
  kind?: string;
  groupVersion?: string;
  resources?: { name: string; kind: string; namespaced: boolean; verbs: string[] }[];
}

function resourceNames(list: ApiResourceList): string[] {
  return (list.resources ?? []).map((resource) => resource.name);
}

export function httpCases(context: () => ContractContext): void {
  describe('HTTP errors and discovery', () => {
    it('answers a missing object with 404 and a NotFound Status body in JSON', async () => {
      const ctx = context();
      const name = uniqueName('absent');
      const response = await rawRequest(ctx.endpoint, {
        method: 'GET',
        path: `/apis/apps/v1/namespaces/${ctx.namespace}/deployments/${name}`,
      });
      expect(response.status).to.equal(404);
      expect(String(response.headers['content-type'])).to.match(/^application\/json/);
      const status = parseStatus(response.text);
      expectFailureStatus(status, 404, 'NotFound');
      expect(status.details).to.deep.include({ name, group: 'apps', kind: 'deployments' });
      expect(status.message).to.equal(`deployments.apps "${name}" not found`);
    });

    it('answers a request with a wrong token with 401 Unauthorized', async () => {
      const ctx = context();
      const response = await rawRequest(
        { ...ctx.endpoint, token: 'not-the-token' },
        { method: 'GET', path: `/api/v1/namespaces/${ctx.namespace}/pods` },
      );
      expect(response.status).to.equal(401);
      expectFailureStatus(parseStatus(response.text), 401, 'Unauthorized');
    });

    it('rejects a PATCH sent as plain application/json with 415 UnsupportedMediaType', async () => {
      const ctx = context();
      const response = await rawRequest(ctx.endpoint, {
        method: 'PATCH',
        path: `/api/v1/nodes/${uniqueName('any-node')}`,
        body: { spec: { unschedulable: true } },
        contentType: 'application/json',
      });
      expect(response.status).to.equal(415);
      expectFailureStatus(parseStatus(response.text), 415, 'UnsupportedMediaType');
    });

    it('rejects an object body sent as a JSON patch with 400 BadRequest', async () => {
      const ctx = context();
      const name = uniqueName('jp-object');
      const created = await rawRequest(ctx.endpoint, {
        method: 'POST',
        path: `/apis/apps/v1/namespaces/${ctx.namespace}/deployments`,
        body: {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name },
          spec: {
            replicas: 1,
            selector: { matchLabels: { app: name } },
            template: { metadata: { labels: { app: name } }, spec: { containers: [placeholderContainer] } },
          },
        },
      });
      expect(created.status).to.equal(201);
      // client-node's default patch content type is JSON patch; an object body is the classic mistake.
      const response = await rawRequest(ctx.endpoint, {
        method: 'PATCH',
        path: `/apis/apps/v1/namespaces/${ctx.namespace}/deployments/${name}/scale`,
        body: { spec: { replicas: 0 } },
        contentType: 'application/json-patch+json',
      });
      expect(response.status).to.equal(400);
      expectFailureStatus(parseStatus(response.text), 400, 'BadRequest');
    });

    it('serves discovery for pods/eviction, deployments/scale and Istio virtualservices', async () => {
      const ctx = context();
      const core = jsonOf<ApiResourceList>(await rawRequest(ctx.endpoint, { method: 'GET', path: '/api/v1' }));
      expect(core.kind).to.equal('APIResourceList');
      expect(resourceNames(core)).to.include.members(['pods', 'pods/eviction', 'nodes', 'services', 'services/status']);
      const apps = jsonOf<ApiResourceList>(await rawRequest(ctx.endpoint, { method: 'GET', path: '/apis/apps/v1' }));
      expect(resourceNames(apps)).to.include.members([
        'deployments',
        'deployments/scale',
        'statefulsets',
        'statefulsets/scale',
      ]);
      const istio = jsonOf<ApiResourceList>(
        await rawRequest(ctx.endpoint, { method: 'GET', path: '/apis/networking.istio.io/v1' }),
      );
      const vs = istio.resources?.find((resource) => resource.name === 'virtualservices');
      expect(vs).to.deep.include({ kind: 'VirtualService', namespaced: true });
      expect(vs?.verbs).to.include.members(['get', 'list', 'watch', 'patch', 'update', 'create', 'delete']);
      expect(resourceNames(istio)).to.include('destinationrules');
    });

    it('writes and reads a LoadBalancer ingress IP through the Service status subresource', async () => {
      const ctx = context();
      const name = uniqueName('lb');
      await ctx.core.createNamespacedService({
        namespace: ctx.namespace,
        body: {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name },
          spec: {
            type: 'LoadBalancer',
            selector: { app: name },
            ports: [{ name: 'http2', port: 80, targetPort: 8080 }],
          },
        },
      });
      const response = await rawRequest(ctx.endpoint, {
        method: 'PATCH',
        path: `/api/v1/namespaces/${ctx.namespace}/services/${name}/status`,
        body: { status: { loadBalancer: { ingress: [{ ip: '127.0.0.11' }] } } },
        contentType: 'application/merge-patch+json',
      });
      expect(response.status).to.equal(200);
      const read = await ctx.core.readNamespacedService({ name, namespace: ctx.namespace });
      expect(read.spec?.type).to.equal('LoadBalancer');
      expect(read.status?.loadBalancer?.ingress?.[0]?.ip).to.equal('127.0.0.11');
      expect(read.spec?.ports?.[0]?.nodePort).to.be.a('number');
    });

    it('lists EndpointSlices by their kubernetes.io/service-name label', async () => {
      const ctx = context();
      const service = uniqueName('eps');
      await ctx.discovery.createNamespacedEndpointSlice({
        namespace: ctx.namespace,
        body: {
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: { name: `${service}-x1`, labels: { 'kubernetes.io/service-name': service } },
          addressType: 'IPv4',
          endpoints: [{ addresses: ['10.244.0.7'], conditions: { ready: true } }],
          ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
        },
      });
      const list = await ctx.discovery.listNamespacedEndpointSlice({
        namespace: ctx.namespace,
        labelSelector: `kubernetes.io/service-name=${service}`,
      });
      expect(list.items.map((slice) => slice.metadata?.name)).to.deep.equal([`${service}-x1`]);
      expect(list.items[0]?.endpoints[0]?.conditions?.ready).to.equal(true);
    });
  });
}
