/**
 * The lab's Kubernetes API through real clients: @kubernetes/client-node unchanged, and raw
 * HTTPS for what a client library would never send (malformed bodies, unknown paths).
 */
import { request } from 'node:https';
import { expect } from 'chai';
import { ApiException, Watch, type V1Deployment } from '@kubernetes/client-node';
import type { RunningLab } from '../../src/lab/index.js';
import { clientsFor, jsonPatch, merge, startTestLab, strategic, waitFor, type Clients } from './lab-test-kit.js';

interface RawResponse {
  status: number;
  body: string;
  json: Record<string, unknown>;
}

function raw(
  lab: RunningLab,
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  const url = new URL(path, lab.clusters[0]?.apiUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ca: lab.caPem,
        headers: { authorization: `Bearer ${lab.token}`, 'content-type': 'application/json', ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: Record<string, unknown> = {};
          try {
            json = JSON.parse(text) as Record<string, unknown>;
          } catch {
            json = {};
          }
          resolve({ status: res.statusCode ?? 0, body: text, json });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function statusOf(error: unknown): { code: number; body: Record<string, unknown> } {
  if (!(error instanceof ApiException)) throw error;
  return { code: error.code, body: JSON.parse(String(error.body)) as Record<string, unknown> };
}

async function failure(promise: Promise<unknown>): Promise<{ code: number; body: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    return statusOf(error);
  }
  throw new Error('expected the call to fail');
}

const ns = 'api-test';
const deployment = (name: string): V1Deployment => ({
  metadata: { name, labels: { tier: 'web' } },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: 'app', image: 'example/app:1', ports: [{ containerPort: 8080 }] }] },
    },
  },
});

describe('lab API through @kubernetes/client-node and raw HTTPS', function () {
  this.timeout(30_000);
  let lab: RunningLab;
  let c: Clients;

  before(async () => {
    ({ lab } = await startTestLab({
      propagationDelayMs: 50,
      timing: { startupMs: 50, readinessMs: 50, terminationGraceMs: 300 },
    }));
    c = clientsFor(lab, 'central');
    await c.core.createNamespace({ body: { metadata: { name: ns } } });
  });
  after(async () => lab?.stop());

  it('serves discovery with subresources, groups and the server version', async () => {
    const core = await raw(lab, 'GET', '/api/v1');
    const names = (core.json.resources as { name: string; kind: string; group?: string }[]).map(
      (r) => `${r.name}:${r.kind}:${r.group ?? ''}`,
    );
    expect(names).to.include.members([
      'pods:Pod:',
      'pods/eviction:Eviction:policy',
      'services/status:Service:',
      'nodes:Node:',
    ]);
    const apps = await raw(lab, 'GET', '/apis/apps/v1');
    expect(
      (apps.json.resources as { name: string; kind: string }[]).map((r) => `${r.name}:${r.kind}`),
    ).to.include.members(['deployments/scale:Scale', 'statefulsets/scale:Scale']);
    const groups = await raw(lab, 'GET', '/apis');
    const istio = (groups.json.groups as { name: string; versions: { version: string }[] }[]).find(
      (g) => g.name === 'networking.istio.io',
    );
    expect(istio?.versions.map((v) => v.version)).to.deep.equal(['v1', 'v1beta1', 'v1alpha3']);
    expect((await raw(lab, 'GET', '/version')).json.major).to.equal('1');
  });

  it('creates, lists with label and field selectors, updates with 409 on a stale resourceVersion', async () => {
    await c.apps.createNamespacedDeployment({ namespace: ns, body: deployment('web') });
    await c.apps.createNamespacedDeployment({
      namespace: ns,
      body: { ...deployment('api'), metadata: { name: 'api', labels: { tier: 'api' } } },
    });
    const web = await c.apps.listNamespacedDeployment({ namespace: ns, labelSelector: 'tier in (web),tier!=api' });
    expect(web.items.map((d) => d.metadata?.name)).to.deep.equal(['web']);
    const byName = await c.apps.listDeploymentForAllNamespaces({ fieldSelector: 'metadata.name=api' });
    expect(byName.items.map((d) => d.metadata?.namespace)).to.deep.equal([ns]);
    // The Deployment controller writes status too, so an update races it like on a real cluster:
    // read-modify-write until no conflict, then the read it started from is stale.
    let current = await c.apps.readNamespacedDeployment({ name: 'web', namespace: ns });
    expect(current.metadata?.uid).to.be.a('string');
    expect(current.metadata?.generation).to.equal(1);
    let updated: V1Deployment | undefined;
    for (let attempt = 0; attempt < 5 && !updated; attempt += 1) {
      try {
        updated = await c.apps.replaceNamespacedDeployment({
          name: 'web',
          namespace: ns,
          body: { ...current, spec: { ...current.spec!, replicas: 2 } },
        });
      } catch (error) {
        if (statusOf(error).code !== 409) throw error;
        current = await c.apps.readNamespacedDeployment({ name: 'web', namespace: ns });
      }
    }
    if (!updated) throw new Error('the update kept conflicting');
    expect(updated.metadata?.generation).to.equal(2);
    expect(Number(updated.metadata?.resourceVersion)).to.be.greaterThan(Number(current.metadata?.resourceVersion));
    const stale = await failure(c.apps.replaceNamespacedDeployment({ name: 'web', namespace: ns, body: current }));
    expect(stale.code).to.equal(409);
    expect(stale.body).to.include({ kind: 'Status', status: 'Failure', reason: 'Conflict', code: 409 });
    const dup = await failure(c.apps.createNamespacedDeployment({ namespace: ns, body: deployment('web') }));
    expect(dup.body).to.include({ reason: 'AlreadyExists', code: 409 });
    const missing = await failure(c.apps.readNamespacedDeployment({ name: 'nope', namespace: ns }));
    expect(missing.body).to.include({ reason: 'NotFound', code: 404, message: 'deployments.apps "nope" not found' });
  });

  it('runs Pods for a Deployment, keeps its status true, and scales through the scale subresource', async () => {
    await c.apps.patchNamespacedDeploymentScale({ name: 'api', namespace: ns, body: { spec: { replicas: 3 } } }, merge);
    const ready = await waitFor('3 ready replicas', async () => {
      const d = await c.apps.readNamespacedDeployment({ name: 'api', namespace: ns });
      return d.status?.readyReplicas === 3 && d.status.observedGeneration === d.metadata?.generation ? d : undefined;
    });
    expect(ready.status).to.include({ replicas: 3, updatedReplicas: 3, availableReplicas: 3 });
    const pods = await c.core.listNamespacedPod({ namespace: ns, labelSelector: 'app=api' });
    for (const pod of pods.items) {
      expect(pod.metadata?.name).to.match(/^api-[a-z0-9]{10}-[a-z0-9]{5}$/);
      expect(pod.metadata?.ownerReferences?.[0]).to.include({ kind: 'Deployment', name: 'api', controller: true });
      expect(pod.spec?.nodeName).to.be.a('string');
      expect(pod.status?.phase).to.equal('Running');
    }
    const onNode = await c.core.listPodForAllNamespaces({
      fieldSelector: `spec.nodeName=${pods.items[0]?.spec?.nodeName ?? ''},status.phase=Running`,
    });
    expect(onNode.items.length).to.be.greaterThan(0);
    const scaleObject = await c.apps.readNamespacedDeploymentScale({ name: 'api', namespace: ns });
    expect(scaleObject.spec?.replicas).to.equal(3);
    expect(scaleObject.status?.selector).to.equal('app=api');
  });

  it('deletes Pods gracefully: a deletionTimestamp first, gone after the kubelet stops them', async () => {
    const pods = await c.core.listNamespacedPod({ namespace: ns, labelSelector: 'app=api' });
    const name = pods.items[0]?.metadata?.name ?? '';
    const deleted = await c.core.deleteNamespacedPod({ name, namespace: ns });
    expect(deleted.metadata?.deletionTimestamp).to.not.equal(undefined);
    await waitFor('pod gone', async () =>
      failure(c.core.readNamespacedPod({ name, namespace: ns }))
        .then((f) => f.code === 404 || undefined)
        .catch(() => undefined),
    );
  });

  it('watches: ADDED/MODIFIED/DELETED events, and 410 Gone for a too old resourceVersion', async () => {
    const events: string[] = [];
    const watch = new Watch(c.kc);
    const start = (await c.core.listNamespacedService({ namespace: ns })).metadata?.resourceVersion;
    const controller = await watch.watch(
      `/api/v1/namespaces/${ns}/services`,
      { resourceVersion: start },
      (phase, obj: { metadata: { name: string } }) => events.push(`${phase} ${obj.metadata.name}`),
      () => undefined,
    );
    await c.core.createNamespacedService({
      namespace: ns,
      body: { metadata: { name: 'svc' }, spec: { ports: [{ port: 80 }], selector: { app: 'api' } } },
    });
    await c.core.patchNamespacedService(
      { name: 'svc', namespace: ns, body: { metadata: { labels: { a: 'b' } } } },
      merge,
    );
    await c.core.deleteNamespacedService({ name: 'svc', namespace: ns });
    await waitFor('three events', () => (events.length >= 3 ? true : undefined));
    controller.abort();
    expect(events).to.deep.equal(['ADDED svc', 'MODIFIED svc', 'DELETED svc']);

    const small = await startTestLab({ watchHistoryLimit: 5, waitReady: false });
    try {
      const gone = await raw(small.lab, 'GET', '/api/v1/namespaces?watch=true&resourceVersion=1&timeoutSeconds=1');
      const first = JSON.parse(gone.body.split('\n')[0] ?? '{}') as {
        type: string;
        object: { code: number; reason: string };
      };
      expect(first.type).to.equal('ERROR');
      expect(first.object).to.include({ code: 410, reason: 'Expired' });
    } finally {
      await small.lab.stop();
    }
  });

  it('accepts the patch types the real server accepts, with its answers', async () => {
    const d = await c.apps.patchNamespacedDeployment(
      {
        name: 'web',
        namespace: ns,
        body: { spec: { template: { spec: { containers: [{ name: 'app', env: [{ name: 'MODE', value: 'x' }] }] } } } },
      },
      strategic,
    );
    const container = d.spec?.template.spec?.containers[0];
    expect(container?.image).to.equal('example/app:1');
    expect(container?.env).to.deep.equal([{ name: 'MODE', value: 'x' }]);
    const vs = {
      apiVersion: 'networking.istio.io/v1beta1',
      kind: 'VirtualService',
      metadata: { name: 'vs' },
      spec: { hosts: ['web'], http: [{ route: [{ destination: { host: 'web' } }] }] },
    };
    await c.custom.createNamespacedCustomObject({
      group: 'networking.istio.io',
      version: 'v1beta1',
      namespace: ns,
      plural: 'virtualservices',
      body: vs,
    });
    const asV1 = (await c.custom.getNamespacedCustomObject({
      group: 'networking.istio.io',
      version: 'v1',
      namespace: ns,
      plural: 'virtualservices',
      name: 'vs',
    })) as { apiVersion: string };
    expect(asV1.apiVersion).to.equal('networking.istio.io/v1');
    const smp = await failure(
      c.custom.patchNamespacedCustomObject(
        {
          group: 'networking.istio.io',
          version: 'v1',
          namespace: ns,
          plural: 'virtualservices',
          name: 'vs',
          body: { spec: { hosts: ['x'] } },
        },
        strategic,
      ),
    );
    expect(smp.body).to.include({ code: 415, reason: 'UnsupportedMediaType' });
    // JSON patch with a resourceVersion test, as the harness writes faults. The lab's control plane
    // writes the VirtualService status once its proxies have it (as istiod with PILOT_ENABLE_STATUS):
    // wait for that write, so no status update races the resourceVersion read below.
    const current = await waitFor('the lab to write the VirtualService status', async () => {
      const read = (await c.custom.getNamespacedCustomObject({
        group: 'networking.istio.io',
        version: 'v1',
        namespace: ns,
        plural: 'virtualservices',
        name: 'vs',
      })) as { metadata: { resourceVersion: string }; status?: { observedGeneration?: number } };
      return read.status?.observedGeneration !== undefined ? read : undefined;
    });
    const rv = current.metadata.resourceVersion;
    const vsPatch = (body: unknown[]): Promise<unknown> =>
      c.custom.patchNamespacedCustomObject(
        { group: 'networking.istio.io', version: 'v1', namespace: ns, plural: 'virtualservices', name: 'vs', body },
        jsonPatch,
      );
    const failedTest = await failure(
      vsPatch([
        { op: 'test', path: '/metadata/resourceVersion', value: `${rv}0` },
        { op: 'add', path: '/metadata/annotations', value: { note: 'no' } },
      ]),
    );
    expect(failedTest.code).to.equal(422);
    expect(failedTest.body).to.include({
      kind: 'Status',
      reason: 'Invalid',
      message: 'the server rejected our request due to an error in our request',
    });
    const passed = (await vsPatch([
      { op: 'test', path: '/metadata/resourceVersion', value: rv },
      { op: 'add', path: '/metadata/annotations', value: { note: 'ok' } },
    ])) as { metadata: { annotations: Record<string, string> } };
    expect(passed.metadata.annotations).to.deep.equal({ note: 'ok' });
    const merged = (await c.custom.patchNamespacedCustomObject(
      {
        group: 'networking.istio.io',
        version: 'v1alpha3',
        namespace: ns,
        plural: 'virtualservices',
        name: 'vs',
        body: { spec: { hosts: ['x'] } },
      },
      merge,
    )) as { spec: { hosts: string[] } };
    expect(merged.spec.hosts).to.deep.equal(['x']);
    const invalid = await failure(
      c.custom.patchNamespacedCustomObject(
        {
          group: 'networking.istio.io',
          version: 'v1',
          namespace: ns,
          plural: 'virtualservices',
          name: 'vs',
          body: [{ op: 'add', path: '/spec/http/0/timeout', value: 'soon' }],
        },
        jsonPatch,
      ),
    );
    expect(invalid.body).to.include({ code: 422, reason: 'Invalid' });
  });

  it('answers malformed and unknown requests with Status bodies and stays up', async () => {
    const notFound = await raw(lab, 'GET', '/apis/nope/v1/things');
    expect(notFound.status).to.equal(404);
    expect(notFound.json).to.include({
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      reason: 'NotFound',
      code: 404,
    });
    const badJson = await raw(lab, 'POST', `/apis/apps/v1/namespaces/${ns}/deployments`, '{"metadata":');
    expect(badJson.status).to.equal(400);
    expect(badJson.json).to.include({ reason: 'BadRequest' });
    expect((await raw(lab, 'PUT', `/apis/apps/v1/namespaces/${ns}/deployments`, '{}')).status).to.equal(405);
    expect(
      (
        await raw(lab, 'PATCH', `/apis/apps/v1/namespaces/${ns}/deployments/web`, '{}', {
          'content-type': 'text/plain',
        })
      ).status,
    ).to.equal(415);
    const weird = [
      '[]',
      'null',
      '"x"',
      '{"metadata":[]}',
      '{"metadata":{"name":7}}',
      '{"spec":{"replicas":"many"}}',
      '{"metadata":{"name":"x","labels":{"a":1}}}',
    ];
    for (const body of weird) {
      const answer = await raw(lab, 'POST', `/apis/apps/v1/namespaces/${ns}/deployments`, body);
      expect(answer.status, body).to.be.within(400, 499);
      expect(answer.json.kind, body).to.equal('Status');
    }
    expect(
      (await raw(lab, 'GET', `/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent('a in (b')}`)).status,
    ).to.equal(400);
    expect((await raw(lab, 'GET', `/api/v1/pods?fieldSelector=spec.bogus=1`)).status).to.equal(400);
    expect((await raw(lab, 'GET', '/api/v1/namespaces')).status).to.equal(200);
  });
});
