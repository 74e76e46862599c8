/**
 * One KubeConfig per cluster, from a file, a YAML string or the default chain; exec auth
 * plugins run by client-node unchanged; errors that say which context and what to do.
 * Against the lab and real kube-apiservers.
 */
import { expect } from 'chai';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { InputError } from '../../src/errors/errors.js';
import { KubeApiError } from '../../src/kube/api-error.js';
import { createClusterApi } from '../../src/kube/cluster-api.js';
import { connectEnvironment } from '../../src/environment/connect.js';
import { endpointOf, describeForEachServer, type FaultTestServer } from '../faults/support/servers.js';

interface KubeconfigDoc {
  clusters: Array<{ name: string; cluster: Record<string, unknown> }>;
  users: Array<{ name: string; user: Record<string, unknown> }>;
  contexts: Array<{ name: string; context: { cluster: string; user: string } }>;
  'current-context'?: string;
}

/** Both clusters in one kubeconfig, each with its own user (the real tier: its own token). */
function mergedKubeconfig(server: FaultTestServer): KubeconfigDoc {
  const merged: KubeconfigDoc = { clusters: [], users: [], contexts: [] };
  for (const cluster of server.environment.clusters) {
    const doc = parse(readFileSync(cluster.kubeconfig!, 'utf8')) as KubeconfigDoc;
    const context = doc.contexts.find((c) => c.name === cluster.context)!;
    const kubeCluster = doc.clusters.find((c) => c.name === context.context.cluster)!;
    const user = doc.users.find((u) => u.name === context.context.user)!;
    merged.clusters.push({ name: `${cluster.name}-cluster`, cluster: kubeCluster.cluster });
    merged.users.push({ name: `${cluster.name}-user`, user: user.user });
    merged.contexts.push({
      name: cluster.context,
      context: { cluster: `${cluster.name}-cluster`, user: `${cluster.name}-user` },
    });
  }
  merged['current-context'] = merged.contexts[0]!.name;
  return merged;
}

describeForEachServer(
  (label) => `kubeconfig per cluster against ${label}`,
  (live) => {
    it('talks to each cluster with its own server and credentials, calls interleaved', async () => {
      const s = live();
      const apis = connectEnvironment(s.environment, { kubeconfigYaml: stringify(mergedKubeconfig(s)) });
      const central = apis.get('central')!;
      const west = apis.get('west')!;
      expect(central.server).to.equal(endpointOf(s, 'central').server);
      expect(west.server).to.equal(endpointOf(s, 'west').server);
      const results = await Promise.all([
        central.listNodes(),
        west.listNodes(),
        central.listWorkloads('StatefulSet', s.namespace),
        west.listWorkloads('StatefulSet', s.namespace),
      ]);
      expect(results[2].map((w) => w.metadata?.name)).to.not.include('ledger-db');
      expect(results[3].map((w) => w.metadata?.name)).to.include('ledger-db');
    });

    it('runs an exec credential plugin as kubectl would (e.g. gke-gcloud-auth-plugin)', async () => {
      const s = live();
      const endpoint = endpointOf(s, 'central');
      const plugin = path.join(s.dir, 'auth-plugin.mjs');
      const credential = {
        apiVersion: 'client.authentication.k8s.io/v1',
        kind: 'ExecCredential',
        status: { token: endpoint.token },
      };
      writeFileSync(plugin, `process.stdout.write(${JSON.stringify(JSON.stringify(credential))});\n`);
      chmodSync(plugin, 0o700);
      const yaml = stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          {
            name: 'c',
            cluster: {
              server: endpoint.server,
              'certificate-authority-data': Buffer.from(endpoint.caPem).toString('base64'),
            },
          },
        ],
        users: [
          {
            name: 'u',
            user: {
              exec: {
                apiVersion: 'client.authentication.k8s.io/v1',
                command: process.execPath,
                args: [plugin],
                interactiveMode: 'Never',
              },
            },
          },
        ],
        contexts: [{ name: 'exec-ctx', context: { cluster: 'c', user: 'u' } }],
        'current-context': 'exec-ctx',
      });
      const api = createClusterApi({ cluster: 'central', context: 'exec-ctx', source: { kind: 'yaml', yaml } });
      expect((await api.listNodes()).length).to.be.greaterThan(0);
    });

    it('refused credentials: a readable error naming the cluster and context, with a hint', async () => {
      const s = live();
      const endpoint = endpointOf(s, 'central');
      const yaml = stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          {
            name: 'c',
            cluster: {
              server: endpoint.server,
              'certificate-authority-data': Buffer.from(endpoint.caPem).toString('base64'),
            },
          },
        ],
        users: [{ name: 'u', user: { token: 'not-the-token' } }],
        contexts: [{ name: 'bad-ctx', context: { cluster: 'c', user: 'u' } }],
      });
      const api = createClusterApi({ cluster: 'central', context: 'bad-ctx', source: { kind: 'yaml', yaml } });
      const error = await api.listNodes().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(KubeApiError);
      expect((error as KubeApiError).message).to.match(/^LIST nodes in cluster central \(context bad-ctx\): 401/);
      expect((error as KubeApiError).hint).to.match(/credentials were refused/);
    });

    it('an unknown context is an input error that lists the contexts there are', () => {
      const s = live();
      const file = s.environment.clusters[0]!.kubeconfig!;
      const error = (() => {
        try {
          createClusterApi({ cluster: 'central', context: 'gke_nope', source: { kind: 'file', file } });
          return undefined;
        } catch (e) {
          return e;
        }
      })();
      expect(error).to.be.instanceOf(InputError);
      expect((error as InputError).message).to.equal(
        `context "gke_nope" of cluster central is not in kubeconfig ${file}`,
      );
      expect((error as InputError).hint).to.include(s.environment.clusters[0]!.context);
    });
  },
  { timeoutMs: 60_000 },
);
