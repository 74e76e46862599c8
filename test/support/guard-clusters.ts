/**
 * The real-API guard tests' clusters: deploy/guard/ applied with a server-side dry run first, its
 * RBAC (or what `chaos rbac` generated) for real (not the Deployment: kwok would only pretend to
 * run its Pods), a TokenRequest token of the chaos-guard ServiceAccount per cluster, a stand-in
 * ingress on 127.0.0.1, and two environment files: the run's (admin, lock Lease 3 s) and the
 * guard's (only the ServiceAccount's tokens).
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { endpointOf, type FaultTestServer } from '../faults/support/servers.js';
import { projectRoot } from './cli.js';
import { renderKubeconfig } from './real-cluster.js';
import { jsonOf, rawRequest } from './real-http.js';
import { findKubeTools } from './real-tools.js';

export async function prepareGuardClusters(
  server: FaultTestServer,
  options: { rbacFile?: string } = {},
): Promise<{ ingress: Server; runEnv: string; guardEnv: string }> {
  const kubectl = (name: string, ...args: string[]) => {
    const admin = server.environment.clusters.find((c) => c.name === name)!;
    const result = spawnSync(
      findKubeTools().kubectl,
      ['--kubeconfig', admin.kubeconfig!, '--context', admin.context, ...args],
      { encoding: 'utf8', timeout: 60_000, cwd: projectRoot },
    );
    return { code: result.status, out: `${result.stdout}${result.stderr}` };
  };
  const names = server.environment.clusters.map((c) => c.name);
  for (const name of names) {
    kubectl(name, 'create', 'namespace', 'chaos-system');
    for (const file of ['rbac.yaml', 'guard.yaml']) {
      const dry = kubectl(name, 'apply', '--server-side', '--dry-run=server', '-f', `deploy/guard/${file}`);
      expect(dry.code, dry.out).to.equal(0);
    }
    const applied = kubectl(
      name,
      'apply',
      '--server-side',
      '--field-manager=chaos-test',
      '-f',
      options.rbacFile ?? 'deploy/guard/rbac.yaml',
    );
    expect(applied.code, applied.out).to.equal(0);
    const endpoint = endpointOf(server, name);
    const response = await rawRequest(endpoint, {
      method: 'POST',
      path: '/api/v1/namespaces/chaos-system/serviceaccounts/chaos-guard/token',
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } },
    });
    expect(response.status, response.text).to.equal(201);
    const token = jsonOf<{ status: { token: string } }>(response).status.token;
    writeFileSync(
      path.join(server.dir, `guard-${name}.kubeconfig`),
      renderKubeconfig(`guard-${name}`, endpoint.server, Buffer.from(endpoint.caPem).toString('base64'), token),
      { mode: 0o600 },
    );
  }
  const ingress = createServer((_request, response) => response.end('ok'));
  await new Promise<void>((resolve) => ingress.listen(0, '127.0.0.1', resolve));
  const port = (ingress.address() as AddressInfo).port;
  const raw = parse(readFileSync(server.environmentFile, 'utf8')) as {
    clusters: Record<string, { ingress: { url: string }; context: string; kubeconfig: string }>;
  };
  for (const [name, cluster] of Object.entries(raw.clusters))
    cluster.ingress = { url: `http://127.0.0.1:${port}/${name}` };
  const runEnv = path.join(server.dir, 'run-env.yaml');
  writeFileSync(runEnv, stringify({ ...raw, name: 'guard-run', lock: { lease: '3s' } }));
  const guardEnv = path.join(server.dir, 'guard-env.yaml');
  const guardClusters = Object.entries(raw.clusters).map(([name, cluster]) => [
    name,
    { ...cluster, context: `guard-${name}`, kubeconfig: `guard-${name}.kubeconfig` },
  ]);
  writeFileSync(
    guardEnv,
    stringify({
      ...raw,
      name: 'guard-only',
      clusters: Object.fromEntries(guardClusters),
      allowContexts: names.map((name) => `guard-${name}`),
    }),
  );
  return { ingress, runEnv, guardEnv };
}
