/**
 * Real Deployment → Pod → EndpointSlice behaviour with kube-controller-manager, kube-scheduler and
 * kwok's simulated Nodes, on two clusters carrying our Bank-of-Anthos-like manifests: scaling
 * frontend to zero in central removes its Pods and its EndpointSlice endpoints, west keeps its own;
 * the disruption controller makes eviction honour a budget.
 */
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  DiscoveryV1Api,
  KubeConfig,
  PatchStrategy,
  PolicyV1Api,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { expect } from 'chai';
import { bankNamespace, type BankCluster } from '../fixtures/real-api/bank-of-anthos.js';
import { type RealCluster } from '../support/real-cluster.js';
import { resetBankOfAnthos, sharedRealClusters } from '../support/shared-real-clusters.js';
import { waitFor } from '../support/real-http.js';

interface Clients {
  core: CoreV1Api;
  apps: AppsV1Api;
  discovery: DiscoveryV1Api;
  policy: PolicyV1Api;
}

function clientsFor(cluster: RealCluster): Clients {
  const config = new KubeConfig();
  config.loadFromString(cluster.kubeconfigYaml());
  return {
    core: config.makeApiClient(CoreV1Api),
    apps: config.makeApiClient(AppsV1Api),
    discovery: config.makeApiClient(DiscoveryV1Api),
    policy: config.makeApiClient(PolicyV1Api),
  };
}

async function readyPods(clients: Clients, app: string): Promise<string[]> {
  const pods = await clients.core.listNamespacedPod({ namespace: bankNamespace, labelSelector: `app=${app}` });
  return pods.items
    .filter((pod) => !pod.metadata?.deletionTimestamp)
    .filter((pod) =>
      pod.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True'),
    )
    .map((pod) => pod.metadata?.name ?? '');
}

async function podCount(clients: Clients, app: string): Promise<number> {
  return (await clients.core.listNamespacedPod({ namespace: bankNamespace, labelSelector: `app=${app}` })).items.length;
}

async function readyEndpoints(clients: Clients, service: string): Promise<string[]> {
  const slices = await clients.discovery.listNamespacedEndpointSlice({
    namespace: bankNamespace,
    labelSelector: `kubernetes.io/service-name=${service}`,
  });
  return slices.items.flatMap((slice) =>
    (slice.endpoints ?? [])
      .filter((endpoint) => endpoint.conditions?.ready === true)
      .flatMap((endpoint) => endpoint.addresses),
  );
}

describe('Bank of Anthos on two real clusters with controllers and kwok', function () {
  this.timeout(120_000);
  const clusters = new Map<BankCluster, RealCluster>();
  const clients = new Map<BankCluster, Clients>();
  const of = (name: BankCluster): Clients => clients.get(name) ?? expect.fail(`cluster ${name} did not start`);

  before(async function () {
    this.timeout(600_000);
    // The pair every real-API file of this process shares, reset to a fresh Bank of Anthos.
    const started = await sharedRealClusters(['central', 'west'], { controllers: true, nodes: 2 });
    for (const cluster of started) {
      const name = cluster.name as BankCluster;
      clusters.set(name, cluster);
      clients.set(name, clientsFor(cluster));
      await resetBankOfAnthos(cluster, name);
    }
  });

  it('runs frontend Pods on simulated Nodes until its EndpointSlice has ready endpoints in both clusters', async () => {
    for (const name of ['central', 'west'] as const) {
      const ready = await waitFor(
        `2 ready frontend endpoints in ${name}`,
        async () => {
          const addresses = await readyEndpoints(of(name), 'frontend');
          return addresses.length === 2 ? addresses : undefined;
        },
        { timeoutMs: 90_000, intervalMs: 500 },
      );
      expect(ready.every((address) => address.startsWith('10.244.'))).to.equal(true);
      expect(await readyPods(of(name), 'frontend')).to.have.length(2);
    }
  });

  it('runs the databases in west only', async () => {
    const west = await waitFor(
      'ledger-db and accounts-db to be ready in west',
      async () => {
        const ready = [...(await readyPods(of('west'), 'ledger-db')), ...(await readyPods(of('west'), 'accounts-db'))];
        return ready.length === 2 ? ready : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 500 },
    );
    expect(west.sort()).to.deep.equal(['accounts-db-0', 'ledger-db-0']);
    expect(await podCount(of('central'), 'ledger-db')).to.equal(0);
    await of('central')
      .apps.readNamespacedStatefulSet({ name: 'ledger-db', namespace: bankNamespace })
      .then(
        () => expect.fail('central must not have ledger-db'),
        (error: unknown) => expect((error as ApiException<unknown>).code).to.equal(404),
      );
  });

  it('removes frontend Pods and EndpointSlice endpoints when frontend is scaled to zero in central', async () => {
    await waitFor(
      'central frontend to be ready first',
      async () => ((await readyEndpoints(of('central'), 'frontend')).length === 2 ? true : undefined),
      {
        timeoutMs: 90_000,
        intervalMs: 500,
      },
    );
    await of('central').apps.patchNamespacedDeploymentScale(
      { name: 'frontend', namespace: bankNamespace, body: { spec: { replicas: 0 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await waitFor(
      'central frontend Pods to be gone',
      async () => ((await podCount(of('central'), 'frontend')) === 0 ? true : undefined),
      {
        timeoutMs: 90_000,
        intervalMs: 500,
      },
    );
    await waitFor(
      'central frontend EndpointSlice to have no endpoints',
      async () => ((await readyEndpoints(of('central'), 'frontend')).length === 0 ? true : undefined),
      {
        timeoutMs: 60_000,
        intervalMs: 500,
      },
    );
    expect(await readyEndpoints(of('west'), 'frontend')).to.have.length(2);
  });

  it('blocks an eviction with 429 while the computed budget allows no disruption, then allows it', async () => {
    const west = of('west');
    await waitFor(
      'west frontend to be ready',
      async () => ((await readyPods(west, 'frontend')).length === 2 ? true : undefined),
      {
        timeoutMs: 90_000,
        intervalMs: 500,
      },
    );
    await west.policy.createNamespacedPodDisruptionBudget({
      namespace: bankNamespace,
      body: {
        metadata: { name: 'frontend' },
        spec: { minAvailable: 2, selector: { matchLabels: { app: 'frontend' } } },
      },
    });
    const computed = await waitFor(
      'the disruption controller to compute the budget',
      async () => {
        const pdb = await west.policy.readNamespacedPodDisruptionBudget({ name: 'frontend', namespace: bankNamespace });
        const status = pdb.status;
        return status && status.observedGeneration === pdb.metadata?.generation && status.currentHealthy === 2
          ? status
          : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(computed.disruptionsAllowed).to.equal(0);
    const [victim] = await readyPods(west, 'frontend');
    const evict = (): Promise<unknown> =>
      west.core.createNamespacedPodEviction({
        name: victim!,
        namespace: bankNamespace,
        body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: victim!, namespace: bankNamespace } },
      });
    const refused = await evict().then(
      () => expect.fail('the eviction must be refused'),
      (error: unknown) => error as ApiException<string>,
    );
    expect(refused.code).to.equal(429);
    const body = JSON.parse(refused.body) as { details?: { causes?: { reason?: string; message?: string }[] } };
    expect(body.details?.causes?.[0]).to.deep.include({ reason: 'DisruptionBudget' });
    expect(body.details?.causes?.[0]?.message).to.contain('needs 2 healthy pods and has 2 currently');

    await west.policy.patchNamespacedPodDisruptionBudget(
      { name: 'frontend', namespace: bankNamespace, body: { spec: { minAvailable: 1 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await waitFor(
      'the budget to allow one disruption',
      async () => {
        const pdb = await west.policy.readNamespacedPodDisruptionBudget({ name: 'frontend', namespace: bankNamespace });
        return pdb.status?.observedGeneration === pdb.metadata?.generation && pdb.status?.disruptionsAllowed === 1
          ? true
          : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    await evict();
    await waitFor(
      `evicted Pod ${victim} to be deleted by kwok`,
      async () => {
        const names = (
          await west.core.listNamespacedPod({ namespace: bankNamespace, labelSelector: 'app=frontend' })
        ).items.map((pod) => pod.metadata?.name);
        return names.includes(victim) ? undefined : true;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
  });
});
