/**
 * The RBAC of deploy/rbac.yaml is enough for a run and no more. Two real kube-apiservers (with
 * controllers and kwok) carry the Bank-of-Anthos-like app; rbac.yaml is applied to both; the
 * harness then runs `chaos run` with ONLY the chaos ServiceAccount's tokens (TokenRequest API):
 * preflight, the Lease lock, every fault type applied, verified and reverted. Calls outside the
 * rules are refused with 403. The load goes to a stand-in ingress on 127.0.0.1.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { stringify } from 'yaml';
import { ExitCode } from '../../src/errors/exit-codes.js';
import type { Environment } from '../../src/environment/types.js';
import { KubeApiError } from '../../src/kube/api-error.js';
import { connectEnvironment } from '../../src/environment/connect.js';
import type { JournalEntry } from '../../src/run/record/run-events.js';
import { endpointOf, realServer, type FaultTestServer } from '../faults/support/servers.js';
import { projectRoot, runChaosAsync } from '../support/cli.js';
import { renderKubeconfig } from '../support/real-cluster.js';
import { jsonOf, rawRequest } from '../support/real-http.js';
import { findKubeTools } from '../support/real-tools.js';

const clusters = ['central', 'west'] as const;

async function refused(call: () => Promise<unknown>): Promise<number | undefined> {
  try {
    await call();
    return 200;
  } catch (error) {
    if (error instanceof KubeApiError) return error.status;
    throw error;
  }
}

describe('scheduled runs: a run with only the RBAC of deploy/rbac.yaml (real kube-apiservers)', function () {
  this.timeout(600_000);
  let server: FaultTestServer;
  let ingress: Server;
  let environment: Environment;
  let environmentFile: string;
  const saTokens: Record<string, string> = {};

  before(async () => {
    server = await realServer.start();
    const kubectl = findKubeTools().kubectl;
    for (const name of clusters) {
      const admin = server.environment.clusters.find((c) => c.name === name)!;
      const applied = spawnSync(
        kubectl,
        [
          '--kubeconfig',
          admin.kubeconfig!,
          '--context',
          admin.context,
          'apply',
          '--server-side',
          '--field-manager=chaos-test',
          '-f',
          path.join(projectRoot, 'deploy/rbac.yaml'),
        ],
        { encoding: 'utf8', timeout: 60_000 },
      );
      expect(applied.status, `${applied.stdout}${applied.stderr}`).to.equal(0);
      // A short-lived token of the ServiceAccount, as `kubectl create token chaos` makes.
      const endpoint = endpointOf(server, name);
      const response = await rawRequest(
        { server: endpoint.server, token: endpoint.token, caPem: endpoint.caPem },
        {
          method: 'POST',
          path: '/api/v1/namespaces/chaos-system/serviceaccounts/chaos/token',
          body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } },
        },
      );
      expect(response.status, response.text).to.equal(201);
      saTokens[name] = jsonOf<{ status: { token: string } }>(response).status.token;
      writeFileSync(
        path.join(server.dir, `sa-${name}.kubeconfig`),
        renderKubeconfig(
          `sa-${name}`,
          endpoint.server,
          Buffer.from(endpoint.caPem).toString('base64'),
          saTokens[name]!,
        ),
        { mode: 0o600 },
      );
    }
    ingress = createServer((request, response) => {
      response.setHeader('x-served-by', (request.url ?? '/').split('/')[1] ?? 'unknown');
      response.end('ok');
    });
    await new Promise<void>((resolve) => ingress.listen(0, '127.0.0.1', resolve));
    const port = (ingress.address() as AddressInfo).port;
    environmentFile = path.join(server.dir, 'sa-environment.yaml');
    writeFileSync(
      environmentFile,
      stringify({
        version: 1,
        name: 'rbac-only',
        namespace: 'bank-of-anthos',
        clusters: Object.fromEntries(
          clusters.map((name) => [
            name,
            {
              context: `sa-${name}`,
              kubeconfig: `sa-${name}.kubeconfig`,
              ingress: { url: `http://127.0.0.1:${port}/${name}` },
            },
          ]),
        ),
        allowContexts: clusters.map((name) => `sa-${name}`),
      }),
    );
    environment = {
      file: environmentFile,
      name: 'rbac-only',
      namespace: 'bank-of-anthos',
      builtIn: false,
      allowContexts: clusters.map((name) => `sa-${name}`),
      clusters: clusters.map((name) => ({
        name,
        context: `sa-${name}`,
        kubeconfig: path.join(server.dir, `sa-${name}.kubeconfig`),
        ingress: { kind: 'url' as const, url: `http://127.0.0.1:${port}/${name}` },
      })),
    };
  });
  after(async () => {
    if (ingress) await new Promise((resolve) => ingress.close(resolve));
    await server?.stop();
  });

  it("chaos run with every fault type succeeds with only the ServiceAccount's tokens, and reverts everything", async () => {
    const result = await runChaosAsync(
      [
        'run',
        path.join(projectRoot, 'test/deploy/fixtures/every-fault.yaml'),
        '--env',
        environmentFile,
        '--reports',
        'reports',
      ],
      { cwd: server.dir, timeoutMs: 400_000 },
    );
    const out = `${result.stdout}${result.stderr}`;
    expect(out, out).not.to.match(/forbidden|: 403\b/i);
    expect(result.code, out).to.equal(ExitCode.passed);
    const [folder] = readdirSync(path.join(server.dir, 'reports')).filter((name) => name.endsWith('-every-fault'));
    const journal = readFileSync(path.join(server.dir, 'reports', folder!, 'journal.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as JournalEntry);
    const kinds = new Set(journal.flatMap((e) => (e.type === 'mutation-intended' ? [e.mutation.kind] : [])));
    // The drain is limited to the app namespace: it scales the namespace to zero and cordons no Node.
    expect([...kinds], JSON.stringify([...kinds])).to.include.members([
      'scale',
      'route-insert',
      'virtualservice-create',
      'pod-delete',
    ]);
    expect([...kinds]).to.not.include('cordon');
    const applied = journal.flatMap((e) => (e.type === 'fault-applied' ? [`${e.faultId}@${e.cluster}`] : []));
    expect(applied.sort()).to.deep.equal([
      'drain-6@central',
      'istio-abort-3@central',
      'istio-delay-4@west',
      'pod-kill-5@west',
      'scale-1@central',
      'scale-2@west',
    ]);
    expect(journal.filter((e) => e.type === 'mutation-failed' || e.type === 'fault-failed')).to.deep.equal([]);
    expect(journal.filter((e) => e.type === 'fault-reverted' && !e.ok)).to.deep.equal([]);
    expect(journal.some((e) => e.type === 'lock-acquired')).to.equal(true);
    const released = journal.find(
      (e): e is Extract<JournalEntry, { type: 'lock-released' }> => e.type === 'lock-released',
    );
    expect(released?.problems).to.deep.equal([]);
    // Everything is back, read with the admin credentials.
    const admin = server.apis.get('central')!;
    expect((await admin.readWorkload('Deployment', 'bank-of-anthos', 'frontend')).spec?.replicas).to.equal(2);
    expect((await admin.listNodes()).every((node) => !node.spec?.unschedulable)).to.equal(true);
  });

  it('what the RBAC does not grant is refused with 403', async () => {
    const apis = connectEnvironment(environment, { requestTimeoutMs: 10_000, retry: { attempts: 1 } });
    const central = apis.get('central')!;
    // Granted: the ingress gateway's Service in its own namespace (ingress discovery).
    expect(await refused(() => central.readService('asm-gateways', 'istio-ingressgateway'))).to.equal(200);
    // Not granted: other namespaces, other verbs, other resources.
    expect(await refused(() => central.listPods('kube-system'))).to.equal(403);
    expect(await refused(() => central.readService('default', 'kubernetes'))).to.equal(403);
    // Granted: the leftover scan of run and recover lists workloads and HPAs of every namespace.
    expect(await refused(() => central.listWorkloads('Deployment', undefined))).to.equal(200);
    expect(await refused(() => central.listHpas(undefined))).to.equal(200);
    // The lock lives only in chaos-system.
    expect(await refused(() => central.readLease('kube-system', 'chaos-lock'))).to.equal(403);
    const endpoint = endpointOf(server, 'central');
    const asChaos = { server: endpoint.server, token: saTokens.central!, caPem: endpoint.caPem };
    expect(
      (await rawRequest(asChaos, { method: 'GET', path: '/api/v1/namespaces/bank-of-anthos/secrets' })).status,
    ).to.equal(403);
    expect(
      (
        await rawRequest(asChaos, {
          method: 'DELETE',
          path: '/apis/apps/v1/namespaces/bank-of-anthos/deployments/frontend',
        })
      ).status,
    ).to.equal(403);
    expect(
      (
        await rawRequest(asChaos, {
          method: 'POST',
          path: '/apis/apps/v1/namespaces/bank-of-anthos/deployments',
          body: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' } },
        })
      ).status,
    ).to.equal(403);
    expect(
      (
        await rawRequest(asChaos, {
          method: 'PUT',
          path: '/apis/apps/v1/namespaces/bank-of-anthos/deployments/frontend',
          body: {},
        })
      ).status,
    ).to.equal(403);
    expect(
      (
        await rawRequest(asChaos, {
          method: 'GET',
          path: '/api/v1/namespaces/bank-of-anthos/pods?watch=true&timeoutSeconds=1',
        })
      ).status,
    ).to.equal(403);
    expect((await rawRequest(asChaos, { method: 'DELETE', path: '/api/v1/nodes/does-not-matter' })).status).to.equal(
      403,
    );
  });

  it("chaos recover with only the ServiceAccount's tokens finds and reverts a planted scale leftover", async () => {
    const admin = server.apis.get('west')!;
    // What a run killed mid-fault leaves: the workload scaled to 0 with our annotations, no journal.
    await admin.mergePatchWorkload('Deployment', 'bank-of-anthos', 'frontend', {
      metadata: {
        annotations: {
          'chaos.dev/run': 'rdead1',
          'chaos.dev/fault': 'scale-1',
          'chaos.dev/expires': new Date(Date.now() - 60_000).toISOString(),
          'chaos.dev/original-replicas': '2',
          'chaos.dev/replicas': '0',
        },
      },
    });
    await admin.patchScale('Deployment', 'bank-of-anthos', 'frontend', 0);
    const result = await runChaosAsync(['recover', '--env', environmentFile, '--reports', 'no-reports'], {
      cwd: server.dir,
      timeoutMs: 300_000,
    });
    const out = `${result.stdout}${result.stderr}`;
    expect(out, out).not.to.match(/forbidden|: 403\b/i);
    expect(out).to.include('scale Deployment bank-of-anthos/frontend');
    expect(result.code, out).to.equal(ExitCode.passed);
    const frontend = await admin.readWorkload('Deployment', 'bank-of-anthos', 'frontend');
    expect(frontend.spec?.replicas).to.equal(2);
    expect(
      Object.keys(frontend.metadata?.annotations ?? {}).filter((key) => key.startsWith('chaos.dev/')),
    ).to.deep.equal([]);
  });
});
