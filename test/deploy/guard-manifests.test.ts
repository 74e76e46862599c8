/**
 * deploy/guard/ says what the guard needs to outlive what it guards: non-root, read-only root
 * filesystem, limits, a PriorityClass above the app's, a PodDisruptionBudget, tolerations, two
 * replicas, the label the drain fault never evicts, and an environment the guard can read.
 * (Their server-side dry run is in manifests.test.ts; the RBAC at work in test/real-api/guard.test.ts.)
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { defaultProtectedPods } from '../../src/environment/types.js';
import { validateEnvironment } from '../../src/environment/validate-environment.js';
import { parseYamlSource } from '../../src/input/yaml-source.js';
import { projectRoot } from '../support/cli.js';

interface Manifest {
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  data?: Record<string, string>;
  value?: number;
  spec?: Record<string, unknown>;
  rules?: Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }>;
}

const docs = (file: string): Manifest[] =>
  parseAllDocuments(readFileSync(path.join(projectRoot, 'deploy/guard', file), 'utf8'))
    .map((doc) => doc.toJS() as Manifest)
    .filter(Boolean);
const guard = docs('guard.yaml');
const byKind = (kind: string) => guard.find((m) => m.kind === kind)!;

interface PodSpec {
  priorityClassName: string;
  serviceAccountName: string;
  securityContext: { runAsNonRoot: boolean };
  tolerations: Array<{ key: string; effect: string }>;
  containers: Array<{
    args: string[];
    resources: { limits: Record<string, string> };
    securityContext: { readOnlyRootFilesystem: boolean; allowPrivilegeEscalation: boolean };
  }>;
}

describe('deploy/guard/: the guard is built to outlive the faults it reverts', () => {
  const deployment = byKind('Deployment').spec as {
    replicas: number;
    template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
  };
  const pod = deployment.template.spec;

  it('runs as non-root on a read-only root filesystem, with CPU and memory limits', () => {
    expect(pod.securityContext.runAsNonRoot).to.equal(true);
    const container = pod.containers[0]!;
    expect(container.securityContext).to.include({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(container.resources.limits).to.have.keys('cpu', 'memory');
    expect(container.args.slice(0, 1)).to.deep.equal(['guard']);
    expect(container.args[container.args.indexOf('--address') + 1]).to.equal('0.0.0.0:8080');
  });

  it('has two replicas, a PodDisruptionBudget keeping one, and a PriorityClass above every default Pod', () => {
    expect(deployment.replicas).to.equal(2);
    expect((byKind('PodDisruptionBudget').spec as { minAvailable: number }).minAvailable).to.equal(1);
    expect(byKind('PriorityClass').value).to.be.greaterThan(0);
    expect(pod.priorityClassName).to.equal(byKind('PriorityClass').metadata.name);
    expect(pod.serviceAccountName).to.equal('chaos-guard');
  });

  it('tolerates a cordon, and carries the label the drain fault never evicts', () => {
    expect(pod.tolerations.map((t) => `${t.key}:${t.effect}`)).to.include(
      'node.kubernetes.io/unschedulable:NoSchedule',
    );
    const labels = deployment.template.metadata.labels;
    const protectedLabel = defaultProtectedPods.labels.find((label) => label.startsWith('app.kubernetes.io/name='))!;
    const [key, value] = protectedLabel.split('=');
    expect(labels[key!]).to.equal(value);
  });

  it("the guard's environment is a valid environment file of one in-cluster cluster", () => {
    const text = byKind('ConfigMap').data!['guard.yaml']!;
    const environment = validateEnvironment(parseYamlSource('guard.yaml', text));
    expect(environment.clusters.map((c) => [c.name, c.inCluster])).to.deep.equal([['here', true]]);
  });

  it('the RBAC grants no Pod deletion or eviction and no secrets: the guard only undoes', () => {
    const rules = docs('rbac.yaml').flatMap((m) => m.rules ?? []);
    const grants = rules.flatMap((rule) =>
      rule.resources.flatMap((resource) => rule.verbs.map((verb) => `${resource}:${verb}`)),
    );
    expect(grants).to.not.include.members(['pods:delete', 'pods/eviction:create', 'secrets:get', 'deployments:create']);
    expect(grants).to.include.members(['events:create', 'leases:watch', 'deployments:watch', 'virtualservices:watch']);
  });
});
