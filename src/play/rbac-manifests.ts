/**
 * `chaos rbac --env X [scenario…]`: the least RBAC of the run's account (chaos-system/chaos) and
 * the guard's (chaos-system/chaos-guard), generated from the environment file. Writes only in the
 * namespaces the environment names (its app namespace, its ingress Service's, `--namespace`) and
 * the namespaces its scenarios' faults name; reads cluster-wide (the leftover scan looks
 * everywhere). Node patch only when a scenario drains whole clusters. A ValidatingAdmissionPolicy
 * refuses both accounts any change of a Deployment's or StatefulSet's Pod template, so `patch`
 * (replicas and our annotations) is not the keys to every workload. Pure: YAML text out.
 */
import { stringify } from 'yaml';
import type { Environment } from '../environment/types.js';
import type { Scenario } from '../scenario/types.js';

const system = 'chaos-system';
const runAccount = 'chaos';
const guardAccount = 'chaos-guard';
const labels = { 'app.kubernetes.io/name': 'chaos' };

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

export interface RbacScope {
  /** Where the accounts may write, sorted. */
  namespaces: string[];
  /** Whether a scenario drains whole clusters (cordon: Node patch, eviction in every namespace). */
  drainsNodes: boolean;
}

/** The namespaces and powers the environment and its scenarios need. */
export function rbacScope(
  environment: Environment,
  scenarios: readonly Scenario[],
  extra: readonly string[],
): RbacScope {
  const namespaces = new Set([environment.namespace, ...extra]);
  for (const cluster of environment.clusters)
    if (cluster.ingress.kind === 'service') namespaces.add(cluster.ingress.namespace);
  let drainsNodes = false;
  for (const fault of scenarios.flatMap((scenario) => scenario.phases.flatMap((phase) => phase.faults))) {
    const named = fault as { namespace?: string; namespaces?: string[] };
    if (named.namespace) namespaces.add(named.namespace);
    for (const namespace of named.namespaces ?? []) namespaces.add(namespace);
    if (fault.type === 'drain' && !named.namespaces) drainsNodes = true;
  }
  return { namespaces: [...namespaces].sort(), drainsNodes };
}

const rule = (apiGroups: string[], resources: string[], verbs: string[]): Rule => ({ apiGroups, resources, verbs });

/** Reads everywhere: the leftover scan (runs refuse to start on one; the guard watches them all). */
const readRules = (watch: boolean): Rule[] => {
  const list = watch ? ['get', 'list', 'watch'] : ['get', 'list'];
  return [
    rule(['apps'], ['deployments', 'statefulsets'], list),
    rule(['autoscaling'], ['horizontalpodautoscalers'], list),
    rule(['keda.sh'], ['scaledobjects'], list),
    rule(['networking.istio.io'], ['virtualservices'], list),
    rule([''], ['nodes'], list),
    rule([''], ['pods'], ['get', 'list']),
    rule([''], ['services'], ['get']),
    rule(['discovery.k8s.io'], ['endpointslices'], ['list']),
  ];
};

/** Writes in one namespace of the environment: replicas and our annotations, HPA bounds, KEDA pause, our routes. */
const writeRules = (account: 'run' | 'guard'): Rule[] => [
  rule(['apps'], ['deployments', 'statefulsets'], ['patch']),
  rule(['autoscaling'], ['horizontalpodautoscalers'], ['patch']),
  rule(['keda.sh'], ['scaledobjects'], ['patch']),
  rule(
    ['networking.istio.io'],
    ['virtualservices'],
    account === 'run' ? ['create', 'patch', 'delete'] : ['patch', 'delete'],
  ),
  ...(account === 'run'
    ? [rule([''], ['pods'], ['delete']), rule([''], ['pods/eviction'], ['create'])]
    : [rule([''], ['events'], ['create'])]),
];

function meta(name: string, namespace?: string): Record<string, unknown> {
  return { name, ...(namespace ? { namespace } : {}), labels };
}

function subject(account: string): Record<string, string> {
  return { kind: 'ServiceAccount', name: account, namespace: system };
}

function clusterRole(name: string, rules: Rule[], accounts: string[]): object[] {
  return [
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: meta(name), rules },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: meta(name),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects: accounts.map(subject),
    },
  ];
}

function role(name: string, namespace: string, rules: Rule[], accounts: string[]): object[] {
  return [
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: meta(name, namespace), rules },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: meta(name, namespace),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: accounts.map(subject),
    },
  ];
}

/** No account of ours changes a Pod template: RBAC cannot say "only replicas", admission can. */
function templateGuard(): object[] {
  const users = [runAccount, guardAccount].map((account) => `system:serviceaccount:${system}:${account}`);
  return [
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: meta('chaos-pod-templates'),
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          resourceRules: [
            {
              apiGroups: ['apps'],
              apiVersions: ['v1'],
              operations: ['UPDATE'],
              resources: ['deployments', 'statefulsets'],
            },
          ],
        },
        matchConditions: [
          { name: 'chaos-accounts', expression: `request.userInfo.username in ${JSON.stringify(users)}` },
        ],
        validations: [
          {
            expression:
              'object.spec.template == oldObject.spec.template && object.spec.selector == oldObject.spec.selector',
            message: 'chaos accounts change replicas and chaos.dev annotations only, never a Pod template',
          },
        ],
      },
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: meta('chaos-pod-templates'),
      spec: { policyName: 'chaos-pod-templates', validationActions: ['Deny'] },
    },
  ];
}

export function rbacManifests(environment: Environment, scope: RbacScope): string {
  const documents: object[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: system } },
    ...[runAccount, guardAccount].map((account) => ({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: meta(account, system),
    })),
    ...clusterRole('chaos-run-read', readRules(false), [runAccount]),
    ...clusterRole('chaos-guard-read', readRules(true), [guardAccount]),
    ...scope.namespaces.flatMap((namespace) => [
      ...role('chaos-run', namespace, writeRules('run'), [runAccount]),
      ...role('chaos-guard', namespace, writeRules('guard'), [guardAccount]),
    ]),
    ...role(
      'chaos-leases',
      system,
      [rule(['coordination.k8s.io'], ['leases'], ['get', 'create', 'update', 'delete'])],
      [runAccount],
    ),
    ...role(
      'chaos-guard-leases',
      system,
      [rule(['coordination.k8s.io'], ['leases'], ['get', 'list', 'watch', 'create', 'update', 'delete'])],
      [guardAccount],
    ),
    ...clusterRole(
      'chaos-namespace',
      [{ apiGroups: [''], resources: ['namespaces'], verbs: ['get'], resourceNames: [system] } as Rule],
      [runAccount, guardAccount],
    ),
    ...(scope.drainsNodes
      ? [
          ...clusterRole('chaos-drain-nodes', [rule([''], ['nodes'], ['patch'])], [runAccount, guardAccount]),
          ...clusterRole('chaos-drain-evict', [rule([''], ['pods/eviction'], ['create'])], [runAccount]),
          // The guard's Events on Nodes go to `default`, as the kubelet's do.
          ...role('chaos-guard-node-events', 'default', [rule([''], ['events'], ['create'])], [guardAccount]),
        ]
      : []),
    ...templateGuard(),
  ];
  const header = [
    `# chaos rbac --env ${environment.name}: generated; apply in every cluster of the environment.`,
    `# Writes only in: ${scope.namespaces.join(', ')}; reads everywhere (the leftover scan).`,
    scope.drainsNodes
      ? '# Node patch and cluster-wide eviction: a scenario drains whole clusters.'
      : '# No Node patch: no scenario given drains whole clusters (pass them to add it).',
    '# Tokens: short-lived (TokenRequest, e.g. `kubectl create token chaos -n chaos-system --duration 2h`).',
  ].join('\n');
  return `${header}\n${documents.map((document) => `---\n${stringify(document)}`).join('')}`;
}
