/**
 * What a real-CLI test of the real-API tier needs around `chaos run`: a stand-in ingress on
 * loopback (the tier has no data plane), environment and scenario files in the test's folder,
 * the run's journal as it is written, and the cluster read directly (not through any proxy).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { stringify } from 'yaml';
import type { ClusterApi } from '../../src/kube/cluster-api.js';
import type { JournalEntry } from '../../src/run/record/run-events.js';
import { endpointOf, type FaultTestServer } from '../faults/support/servers.js';
import { startFlakyProxy, type FlakyProxy } from './flaky-proxy.js';

export interface StandInIngress {
  /** `http://127.0.0.1:<port>/<cluster>`: answers 200 with the cluster in `x-chaos-cluster`. */
  urlFor(cluster: string): string;
  close(): Promise<void>;
}

export async function startStandInIngress(): Promise<StandInIngress> {
  const server: Server = createServer((request, response) => {
    response.setHeader('x-chaos-cluster', (request.url ?? '/').split('/')[1] ?? 'unknown');
    response.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    urlFor: (cluster) => `http://127.0.0.1:${port}/${cluster}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export interface EnvironmentCluster {
  context: string;
  /** Omitted: the default chain (KUBECONFIG, then ~/.kube/config). */
  kubeconfig?: string;
  ingressUrl: string;
}

/** An environment file whose contexts are all allowed; no istiod in the tier, so a short settle. */
export function writeEnvironment(file: string, name: string, clusters: Record<string, EnvironmentCluster>): string {
  const entries = Object.entries(clusters);
  writeFileSync(
    file,
    stringify({
      version: 1,
      name,
      namespace: 'bank-of-anthos',
      clusters: Object.fromEntries(
        entries.map(([cluster, entry]) => [
          cluster,
          {
            context: entry.context,
            ...(entry.kubeconfig ? { kubeconfig: entry.kubeconfig } : {}),
            ingress: { url: entry.ingressUrl },
          },
        ]),
      ),
      allowContexts: entries.map(([, entry]) => entry.context),
      istio: { convergence: 'settle', settle: '200ms' },
    }),
  );
  return file;
}

/** A scenario file of light load with lenient budgets: the tests look at the cluster, not verdicts. */
export function writeScenario(
  file: string,
  name: string,
  phases: Record<string, string>,
  faults: readonly Record<string, unknown>[],
): string {
  writeFileSync(
    file,
    stringify({
      version: 1,
      name,
      description: `${name} (a test scenario)`,
      load: { rate: 2, paths: ['/'], timeout: '2s' },
      phases,
      faults,
      budgets: { all: { http_req_failed: 'rate<1' } },
    }),
  );
  return file;
}

/** The journal of the newest run folder under `reports` (empty while there is none). */
export function readJournal(reportsDir: string): JournalEntry[] {
  if (!existsSync(reportsDir)) return [];
  const folder = readdirSync(reportsDir)
    .filter((name) => existsSync(path.join(reportsDir, name, 'journal.jsonl')))
    .sort()
    .at(-1);
  if (!folder) return [];
  return readFileSync(path.join(reportsDir, folder, 'journal.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as JournalEntry];
      } catch {
        return []; // a line being written
      }
    });
}

/** The chaos.dev/ annotations of an object (none left is what a clean cluster shows). */
export function chaosAnnotations(object: { metadata?: { annotations?: Record<string, string> } }): string[] {
  return Object.keys(object.metadata?.annotations ?? {}).filter((key) => key.startsWith('chaos.dev/'));
}

/** The lock Lease of a cluster as it stands: its holder, or undefined when released or absent. */
export async function lockHolder(api: ClusterApi): Promise<string | undefined> {
  try {
    const lease = await api.readLease('chaos-system', 'chaos-lock');
    return lease.spec?.holderIdentity ?? undefined;
  } catch {
    return undefined;
  }
}

/**
 * `central` of a real server reached through a flaky proxy (context `proxied-central`), with a
 * stand-in ingress: the environment file a real `chaos run` uses when a test takes the API away.
 */
export async function centralThroughProxy(
  server: FaultTestServer,
  dir: string,
  name: string,
): Promise<{ proxy: FlakyProxy; ingress: StandInIngress; environmentFile: string }> {
  const endpoint = endpointOf(server, 'central');
  const proxy = await startFlakyProxy(endpoint);
  const ingress = await startStandInIngress();
  const kubeconfig = path.join(dir, 'through-proxy.kubeconfig');
  writeFileSync(kubeconfig, proxy.kubeconfigYaml('proxied-central', endpoint.token), { mode: 0o600 });
  const environmentFile = writeEnvironment(path.join(dir, 'environment.yaml'), name, {
    central: { context: 'proxied-central', kubeconfig, ingressUrl: ingress.urlFor('central') },
  });
  return { proxy, ingress, environmentFile };
}
