/**
 * Least privilege for real (issue 27 item 7): with the RBAC `chaos rbac --env` generates, the
 * guard's token (a TokenRequest of chaos-system/chaos-guard) is refused a Pod-template patch (the
 * ValidatingAdmissionPolicy) and any write outside the environment's namespaces (RBAC), and still
 * reverts scale, Istio, drain and pod-kill faults after `chaos run` is killed with SIGKILL.
 * Against two real kube-apiservers (controllers, kwok).
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import { ExitCode } from '../../src/errors/exit-codes.js';
import { bankNamespace } from '../fixtures/real-api/bank-of-anthos.js';
import { realServer, type FaultTestServer } from '../faults/support/servers.js';
import { projectRoot, runChaosAsync } from '../support/cli.js';
import { leftoversIn, spawnChaos, startGuardChild, type GuardChild } from '../support/guard-kit.js';
import { prepareGuardClusters } from '../support/guard-clusters.js';
import { findKubeTools } from '../support/real-tools.js';
import { waitFor } from '../support/wait.js';

const otherTeam = `
apiVersion: v1
kind: Namespace
metadata: { name: other-team }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: other, namespace: other-team }
spec:
  replicas: 0
  selector: { matchLabels: { app: other } }
  template:
    metadata: { labels: { app: other } }
    spec: { containers: [{ name: other, image: other }] }
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: other, namespace: other-team }
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: other }
  minReplicas: 1
  maxReplicas: 2
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: other, namespace: other-team }
spec:
  hosts: [other]
  http: [{ route: [{ destination: { host: other } }] }]
`;
const fixture = path.join(projectRoot, 'test/fixtures/real-api/guard-faults-rbac.yaml');
const appliedCount = (out: string) => [...out.matchAll(/fault \S+ applied in \w+/g)].length;

describe('the generated RBAC: the guard can revert every fault kind and nothing more (real kube-apiservers)', function () {
  this.timeout(600_000);
  let server: FaultTestServer;
  let ingress: Server;
  let runEnv: string;
  let guardEnv: string;
  let manifests: string;
  const guards: GuardChild[] = [];

  /** kubectl with the guard's own token (its kubeconfig from the TokenRequest). */
  const asGuard = (cluster: string, ...args: string[]) => {
    const result = spawnSync(
      findKubeTools().kubectl,
      ['--kubeconfig', path.join(server.dir, `guard-${cluster}.kubeconfig`), ...args],
      { encoding: 'utf8', timeout: 60_000 },
    );
    return { code: result.status, out: `${result.stdout}${result.stderr}` };
  };

  /** Another team's namespace, with objects of every kind the guard may write at home. */
  const elsewhere = 'other-team';
  const asAdmin = (cluster: string, ...args: string[]) => {
    const admin = server.environment.clusters.find((candidate) => candidate.name === cluster)!;
    const result = spawnSync(
      findKubeTools().kubectl,
      ['--kubeconfig', admin.kubeconfig!, '--context', admin.context, ...args],
      { encoding: 'utf8', timeout: 60_000, input: otherTeam },
    );
    expect(result.status, `${result.stdout}${result.stderr}`).to.equal(0);
  };

  before(async () => {
    server = await realServer.start();
    for (const cluster of ['central', 'west']) asAdmin(cluster, 'apply', '-f', '-');
    const generated = await runChaosAsync(['rbac', '--env', server.environmentFile, fixture], {
      cwd: server.dir,
      timeoutMs: 60_000,
    });
    expect(generated.code, generated.stderr).to.equal(ExitCode.passed);
    manifests = generated.stdout;
    const rbacFile = path.join(server.dir, 'generated-rbac.yaml');
    writeFileSync(rbacFile, manifests);
    ({ ingress, runEnv, guardEnv } = await prepareGuardClusters(server, { rbacFile }));
  });
  after(async () => {
    for (const guard of guards.splice(0)) await guard.kill('SIGTERM');
    if (ingress) await new Promise((resolve) => ingress.close(resolve));
    await server?.stop();
  });

  it('names only the environment and scenario namespaces, and Node patch because the scenario drains whole clusters', () => {
    expect(manifests).to.match(/# Writes only in: bank-of-anthos;/);
    expect(manifests).to.match(/name: chaos-drain-nodes/);
    expect(manifests).to.not.match(/deployments\/scale|statefulsets\/scale/);
    expect(manifests).to.match(/kind: ValidatingAdmissionPolicy\n/);
  });

  it("the guard's token is refused a Pod-template patch and writes outside the environment's namespaces", () => {
    const template = JSON.stringify({ spec: { template: { metadata: { annotations: { injected: 'yes' } } } } });
    const replicas = JSON.stringify({ spec: { replicas: 2 } });
    for (const cluster of ['central', 'west']) {
      const dry = ['--dry-run=server', '--type', 'merge', '-p'];
      // What it needs: replicas and annotations in the environment's namespace.
      const allowed = asGuard(cluster, '-n', bankNamespace, 'patch', 'deployment', 'frontend', ...dry, replicas);
      expect(allowed.code, allowed.out).to.equal(0);
      // A Pod template: denied by admission, whatever RBAC says.
      const podTemplate = asGuard(cluster, '-n', bankNamespace, 'patch', 'deployment', 'frontend', ...dry, template);
      expect(podTemplate.code, podTemplate.out).to.not.equal(0);
      expect(podTemplate.out).to.match(/chaos accounts change replicas and chaos\.dev annotations only/);
      // Outside the environment's namespaces: forbidden, for every kind it may write at home.
      for (const kind of ['deployment', 'horizontalpodautoscaler', 'virtualservice']) {
        const outside = asGuard(cluster, '-n', elsewhere, 'patch', kind, 'other', ...dry, replicas);
        expect(outside.code, outside.out).to.not.equal(0);
        expect(outside.out, `${kind} in ${elsewhere}`).to.match(/forbidden/i);
      }
      const deleteOutside = asGuard(cluster, '-n', elsewhere, 'delete', 'virtualservice', 'other', '--dry-run=server');
      expect(deleteOutside.code, deleteOutside.out).to.not.equal(0);
      expect(deleteOutside.out).to.match(/forbidden/i);
      // Nothing it never does: create workloads, delete Pods, read Secrets.
      for (const verb of [
        ['create', 'deployments', '-n', bankNamespace],
        ['delete', 'pods', '-n', bankNamespace],
        ['get', 'secrets', '-n', bankNamespace],
        ['patch', 'deployments', '-n', 'kube-system'],
      ]) {
        const answer = asGuard(cluster, 'auth', 'can-i', ...verb);
        expect(answer.out.trim(), verb.join(' ')).to.equal('no');
      }
    }
  });

  it('still reverts scale, Istio, drain and pod-kill faults after kill -9', async () => {
    const guard = await startGuardChild(['--env', guardEnv], server.dir);
    guards.push(guard);
    const run = spawnChaos(['run', fixture, '--env', runEnv, '--reports', 'reports'], server.dir);
    await waitFor(() => appliedCount(run.output()) === 5 || run.child.exitCode !== null, {
      timeoutMs: 240_000,
      what: 'all five faults applied',
    });
    expect(appliedCount(run.output()), run.output()).to.equal(5);
    expect(guard.output()).to.not.match(/not watching|cannot see everything/);
    const applied = await leftoversIn(server.apis);
    expect(await run.kill(), run.output()).to.equal('null/SIGKILL');
    expect(applied.filter((line) => line.startsWith('scale central')).length).to.equal(1);
    expect(applied.filter((line) => line.startsWith('cordon west')).length).to.be.greaterThan(0);
    expect(applied.filter((line) => /^(route-insert|virtualservice-create) /.test(line)).length).to.equal(2);
    await waitFor(async () => (await leftoversIn(server.apis)).length === 0, {
      timeoutMs: 180_000,
      what: `the guard to revert every mutation\n${guard.output()}`,
    });
    expect(guard.output()).to.not.match(/could NOT revert|forbidden/i);
    const central = server.apis.get('central')!;
    const west = server.apis.get('west')!;
    // The cluster, not the guard's word: replicas back, every Node schedulable, Pods ready again.
    await waitFor(
      async () => (await central.readWorkload('Deployment', bankNamespace, 'frontend')).spec?.replicas === 2,
      { timeoutMs: 60_000, what: 'frontend back at 2 replicas' },
    );
    expect((await west.listNodes()).filter((node) => node.spec?.unschedulable)).to.deep.equal([]);
    const recovered = await runChaosAsync(['recover', '--env', runEnv, '--reports', 'none'], {
      cwd: server.dir,
      timeoutMs: 120_000,
    });
    expect(recovered.code, recovered.stdout + recovered.stderr).to.equal(ExitCode.passed);
    expect(recovered.stdout).to.match(/nothing to recover/);
  });
});
