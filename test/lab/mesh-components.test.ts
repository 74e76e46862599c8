/**
 * Issue 28, the lab side of `control-plane` and `east-west-gateway`: what a cluster's proxies do
 * when its istiod goes away (they keep their last push), and what cross-cluster calls do when a
 * cluster's east-west gateway has no Pod behind its address (they fail to connect, 503 UF).
 * Expected answers come from the rules, not the code: with istiod away, central's gateway still
 * holds central's two frontend endpoints after they are gone, so a request's three attempts
 * (one try and Istio's two default retries, never the same host twice while another is left)
 * all fail to connect; the DestinationRule's outlier detection (5 consecutive 5xx) ejects each
 * dead host after its fifth failure, and locality failover then sends central's traffic to west.
 * A connection to a Pod that is gone is never answered (its address has no network behind it):
 * the attempt ends at the DestinationRule's connect timeout (Istio's default 10 s), or earlier at
 * the route's timeout — never refused at once, as a Pod still terminating would refuse it.
 */
import { DiscoveryV1Api } from '@kubernetes/client-node';
import { expect } from 'chai';
import type { RunningLab } from '../../src/lab/index.js';
import {
  clientsFor,
  ingressOf,
  merge,
  readyPods,
  scale,
  sequential,
  startTestLab,
  waitFor,
  type Clients,
} from './lab-test-kit.js';

const ns = 'bank-of-anthos';
const propagationDelayMs = 200;
const connectFailure = 'upstream connect error or disconnect/reset before headers. reset reason: connection failure';
const connectTimeout = 'upstream connect error or disconnect/reset before headers. reset reason: connection timeout';

describe('the mesh without its control plane or its east-west gateway (lab)', function () {
  this.timeout(120_000);
  let lab: RunningLab;

  beforeEach(async () => {
    ({ lab } = await startTestLab({
      propagationDelayMs,
      timing: { startupMs: 50, readinessMs: 50, terminationGraceMs: 200 },
    }));
  });
  afterEach(async () => lab?.stop());

  const gone = async (cluster: string, namespace: string, app: string): Promise<void> => {
    const clients = clientsFor(lab, cluster);
    await waitFor(`${app} gone in ${cluster}`, async () =>
      (await readyPods(clients, namespace, app)).length === 0 ? true : undefined,
    );
    // What the mesh reads is the Service's endpoints, not the Pods: wait until they say so too
    // (the endpoint controller lags the Pods under load; istiod's going away must be seen first).
    const discovery = clients.kc.makeApiClient(DiscoveryV1Api);
    await waitFor(`${app}'s endpoints empty in ${cluster}`, async () => {
      const slices = await discovery.listNamespacedEndpointSlice({
        namespace,
        labelSelector: `kubernetes.io/service-name=${app}`,
      });
      const ready = slices.items.flatMap((slice) => slice.endpoints ?? []).filter((e) => e.conditions?.ready !== false);
      return ready.length === 0 ? true : undefined;
    });
  };
  const settle = () => new Promise((resolve) => setTimeout(resolve, 3 * propagationDelayMs));
  const patchIstio = (clients: Clients, plural: string, name: string, spec: object) =>
    clients.custom.patchNamespacedCustomObject(
      { group: 'networking.istio.io', version: 'v1', namespace: ns, plural, name, body: { spec } },
      merge,
    );
  /** istiod away in central, then frontend: central's proxies keep two frontend endpoints with no Pod behind them. */
  const staleFrontend = async (central: Clients): Promise<void> => {
    await scale(central, 'istio-system', 'istiod', 0);
    await gone('central', 'istio-system', 'istiod');
    await scale(central, ns, 'frontend', 0);
    await gone('central', ns, 'frontend');
    await settle(); // a push would have arrived by now, were istiod there
  };

  it('control-plane: central keeps routing to frontend Pods that are gone until outlier detection ejects them; istiod back, it converges on west', async () => {
    const central = clientsFor(lab, 'central');
    // A short connect timeout, pushed while istiod is there, so that each dead attempt ends soon.
    await patchIstio(central, 'destinationrules', 'frontend', {
      trafficPolicy: { connectionPool: { tcp: { connectTimeout: '300ms' } } },
    });
    await settle();
    await staleFrontend(central);

    const stale = await sequential(ingressOf(lab, 'central'), '/', 12);
    // 2 hosts × 5 failures to eject both = 10 failed attempts, and every attempt of the first
    // requests goes to a dead central host (3 per request: 9 < 10), so the first three fail, each
    // attempt unanswered until the connect timeout; once both are ejected, locality failover
    // sends everything to west.
    expect(stale.slice(0, 3).map((s) => `${s.status} ${s.body}`)).to.deep.equal(Array(3).fill(`503 ${connectTimeout}`));
    expect(stale.slice(3).every((s) => s.status === 200 && s.cluster === 'west')).to.equal(true);
    // West's proxies hear their own istiod: west's ingress never failed.
    const west = await sequential(ingressOf(lab, 'west'), '/', 10);
    expect(west.every((s) => s.status === 200 && s.cluster === 'west')).to.equal(true);

    await scale(central, 'istio-system', 'istiod', 1);
    await waitFor('istiod back in central', async () =>
      (await readyPods(central, 'istio-system', 'istiod')).length === 1 ? true : undefined,
    );
    await settle();
    const converged = await sequential(ingressOf(lab, 'central'), '/', 20);
    expect(converged.every((s) => s.status === 200 && s.cluster === 'west')).to.equal(true);
  });

  it("control-plane: a dead Pod's connection hangs past a route timeout shorter than the connect timeout (504, not a quick 503)", async () => {
    const central = clientsFor(lab, 'central');
    await patchIstio(central, 'virtualservices', 'frontend-ingress', {
      http: [{ route: [{ destination: { host: 'frontend', port: { number: 80 } } }], timeout: '250ms' }],
    });
    await settle();
    await staleFrontend(central);
    // Istio's default connect timeout (10 s) is far past the route's 250 ms: the route gives up first.
    const samples = await sequential(ingressOf(lab, 'central'), '/', 3);
    expect(samples.map((s) => `${s.status} ${s.body}`)).to.deep.equal(Array(3).fill('504 upstream request timeout'));
  });

  it('control-plane: with istiod up, the same scale fails nothing once the push arrived (the contrast)', async () => {
    await scale(clientsFor(lab, 'central'), ns, 'frontend', 0);
    await gone('central', ns, 'frontend');
    await settle();
    const samples = await sequential(ingressOf(lab, 'central'), '/', 12);
    expect(samples.map((s) => `${s.status} ${s.cluster}`)).to.deep.equal(Array(12).fill('200 west'));
  });

  it('east-west-gateway: central reaching west through a gateway with no Pod fails 503 UF, with nowhere to fail over; back, it serves', async () => {
    const central = clientsFor(lab, 'central');
    const west = clientsFor(lab, 'west');
    await scale(central, ns, 'frontend', 0);
    await gone('central', ns, 'frontend');
    await settle();
    expect((await sequential(ingressOf(lab, 'central'), '/', 3)).map((s) => `${s.status} ${s.cluster}`)).to.deep.equal(
      Array(3).fill('200 west'),
    );

    await scale(west, 'istio-system', 'istio-eastwestgateway', 0);
    await gone('west', 'istio-system', 'istio-eastwestgateway');
    const cut = await sequential(ingressOf(lab, 'central'), '/', 8);
    // Only west has frontend: every attempt fails to connect; ejection leaves nothing healthier.
    expect(cut.map((s) => `${s.status} ${s.body}`)).to.deep.equal(Array(8).fill(`503 ${connectFailure}`));
    // West's own ingress reaches its own Pods, not through its east-west gateway.
    const local = await sequential(ingressOf(lab, 'west'), '/', 5);
    expect(local.map((s) => `${s.status} ${s.cluster}`)).to.deep.equal(Array(5).fill('200 west'));

    await scale(west, 'istio-system', 'istio-eastwestgateway', 1);
    await waitFor('the east-west gateway back in west', async () =>
      (await readyPods(west, 'istio-system', 'istio-eastwestgateway')).length === 1 ? true : undefined,
    );
    // Outlier detection ejected west's frontends (30 s base): Envoy panics with no healthy
    // host and balances over all, so the next request gets through.
    const back = await sequential(ingressOf(lab, 'central'), '/', 5);
    expect(back.map((s) => `${s.status} ${s.cluster}`)).to.deep.equal(Array(5).fill('200 west'));
  });

  it('east-west-gateway: locality failover finds another way when the producer also runs locally', async () => {
    const west = clientsFor(lab, 'west');
    await scale(west, 'istio-system', 'istio-eastwestgateway', 0);
    await gone('west', 'istio-system', 'istio-eastwestgateway');
    // frontend runs in both clusters; central's gateway prefers its own locality: nothing fails.
    const samples = await sequential(ingressOf(lab, 'central'), '/', 20);
    expect(samples.map((s) => `${s.status} ${s.cluster}`)).to.deep.equal(Array(20).fill('200 central'));
  });
});
