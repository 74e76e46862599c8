/**
 * Bench: the lab's latency claims that the tests no longer assert (issue 12: no elapsed-time
 * assertion on a shared two-core machine). Each is a median or quantile of real HTTP requests to
 * a lab on free loopback ports:
 *   - a gateway-bound 500 ms Istio delay adds ≈ 500 ms (test/lab/faults.test.ts asserts ≥ 500 ms);
 *   - a 100 ms route timeout answers 504 in ≈ 100 ms, before the 250 ms service;
 *   - frontend at zero in central: central's ingress pays one east-west round trip (2 × 25 ms);
 *   - capacity: with central at zero, west's ingress queues (p50 and p90 grow by ≥ 1 and 2
 *     service times of 20 ms).
 *
 *   npx tsx bench/lab-latency.ts
 */
import { cpus, loadavg } from 'node:os';
import { startLab, type RunningLab } from '../src/lab/index.js';
import {
  clientsFor,
  fixture,
  ingressOf,
  jsonPatch,
  median,
  openLoop,
  quantile,
  scale,
  sequential,
  waitFor,
  type Clients,
} from '../test/lab/lab-test-kit.js';

const rows: string[] = [];
const row = (claim: string, expected: string, measured: string): void => {
  rows.push(`| ${claim} | ${expected} | ${measured} |`);
};

async function setRoutes(clients: Clients, namespace: string, http: unknown[]): Promise<void> {
  const api = { group: 'networking.istio.io', version: 'v1', namespace, plural: 'virtualservices' } as const;
  const vs = (await clients.custom.getNamespacedCustomObject({ ...api, name: 'frontend-ingress' })) as {
    metadata: { resourceVersion: string };
  };
  await clients.custom.patchNamespacedCustomObject(
    {
      ...api,
      name: 'frontend-ingress',
      body: [
        { op: 'test', path: '/metadata/resourceVersion', value: vs.metadata.resourceVersion },
        { op: 'replace', path: '/spec/http', value: http },
      ],
    },
    jsonPatch,
  );
}

async function withLab<T>(options: Parameters<typeof startLab>[0], body: (lab: RunningLab) => Promise<T>): Promise<T> {
  const lab = await startLab({ ingressPort: 0, ...options });
  try {
    return await body(lab);
  } finally {
    await lab.stop();
  }
}

const toFrontend = { route: [{ destination: { host: 'frontend' } }] };

await withLab(
  {
    topologyPath: fixture('mesh-lab.yaml'),
    seed: 42,
    propagationDelayMs: 100,
    timing: { startupMs: 100, readinessMs: 100, terminationGraceMs: 300 },
  },
  async (lab) => {
    const central = clientsFor(lab, 'central');
    const url = ingressOf(lab, 'central');
    const before = await sequential(url, '/', 20);
    await setRoutes(central, 'shop', [
      { ...toFrontend, fault: { delay: { fixedDelay: '500ms', percentage: { value: 100 } } } },
    ]);
    await waitFor('delay in effect', async () => ((await sequential(url, '/', 1))[0]!.ms > 400 ? true : undefined));
    const delayed = await sequential(url, '/', 10);
    row(
      'Istio delay 500 ms adds',
      '≈ 500 ms (test: every request ≥ 500 ms)',
      `${(median(delayed) - median(before)).toFixed(1)} ms (median ${median(before).toFixed(1)} → ${median(delayed).toFixed(1)})`,
    );
    await setRoutes(central, 'shop', [
      { match: [{ uri: { prefix: '/slow' } }], timeout: '100ms', ...toFrontend },
      toFrontend,
    ]);
    await waitFor('timeout in effect', async () =>
      (await sequential(url, '/slow', 1))[0]!.status === 504 ? true : undefined,
    );
    const slow = await sequential(url, '/slow', 10);
    row(
      'route timeout 100 ms answers 504 after',
      '≈ 100 ms, < 250 ms service',
      `max ${Math.max(...slow.map((s) => s.ms)).toFixed(1)} ms`,
    );
  },
);

await withLab(
  { propagationDelayMs: 400, timing: { startupMs: 300, readinessMs: 200, terminationGraceMs: 800 } },
  async (lab) => {
    const url = ingressOf(lab, 'central');
    const before = await sequential(url, '/', 40);
    await scale(clientsFor(lab, 'central'), 'bank-of-anthos', 'frontend', 0);
    await waitFor(
      'served from west',
      async () => ((await sequential(url, '/', 1))[0]!.cluster === 'west' ? true : undefined),
      30_000,
    );
    const after = await sequential(url, '/', 40);
    row(
      'east-west after frontend-zero adds',
      '≈ 50 ms (2 × 25 ms); test: every request ≥ 49 ms',
      `${(median(after) - median(before)).toFixed(1)} ms (median ${median(before).toFixed(1)} → ${median(after).toFixed(1)})`,
    );
  },
);

await withLab(
  {
    topologyPath: fixture('capacity-lab.yaml'),
    propagationDelayMs: 100,
    timing: { startupMs: 100, readinessMs: 100, terminationGraceMs: 300 },
  },
  async (lab) => {
    const load = async () => (await openLoop(ingressOf(lab, 'west'), '/', 60, 2_000)).map((s) => s.ms);
    const both = async () => (await Promise.all([load(), openLoop(ingressOf(lab, 'central'), '/', 60, 2_000)]))[0];
    const before = await both();
    await scale(clientsFor(lab, 'central'), 'shop', 'frontend', 0);
    await waitFor(
      'served from west',
      async () => ((await sequential(ingressOf(lab, 'central'), '/', 1))[0]!.cluster === 'west' ? true : undefined),
      30_000,
    );
    const after = await both();
    row(
      'capacity: west p50 / p90 grow by',
      '≥ 20 ms / ≥ 40 ms',
      `${(quantile(after, 0.5) - quantile(before, 0.5)).toFixed(1)} ms / ${(quantile(after, 0.9) - quantile(before, 0.9)).toFixed(1)} ms`,
    );
  },
);

console.log(
  `Machine: ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), Node ${process.version}, load average ${loadavg()
    .map((n) => n.toFixed(1))
    .join(' ')}\n`,
);
console.log('| claim | expected | measured |\n|---|---|---|');
for (const line of rows) console.log(line);
