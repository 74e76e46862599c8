/**
 * Judged by 8: `chaos plan` shows each fault's exact mutation per cluster. First the sentences
 * for every shipped scenario (pure); then, against the lab and real kube-apiservers, that what
 * apply really does is what the plan said: same clusters, same objects, same values, same
 * route names.
 */
import { expect } from 'chai';
import { loadScenario } from '../../src/play/load-inputs.js';
import { buildPlan, type PlannedFault } from '../../src/run/build-plan.js';
import type { Fault } from '../../src/scenario/types.js';
import { projectRoot } from '../support/cli.js';
import { apiOf, serverFactories, type FaultTestServer } from './support/servers.js';
import { openTestSession, phaseOf, waitSettled } from './support/session.js';

function plannedFault(scenario: string): PlannedFault {
  const { scenario: loaded, environment } = loadScenario(scenario, undefined, projectRoot);
  const plan = buildPlan(loaded, environment, 'r1');
  const planned = plan.phases.flatMap((phase) => phase.faults)[0];
  if (!planned) throw new Error(`${scenario} has no fault`);
  return planned;
}

function linesOf(planned: PlannedFault): Record<string, string[]> {
  return Object.fromEntries(
    planned.targets.map((target) => [`${target.cluster} (${target.context})`, target.mutations]),
  );
}

describe('chaos plan: the exact mutation of each fault, per cluster', () => {
  it('frontend-zero: scale subresource PATCH in central only', () => {
    const lines = linesOf(plannedFault('frontend-zero'));
    expect(Object.keys(lines)).to.deep.equal(['central (lab-central)']);
    expect(lines['central (lab-central)']).to.include(
      'PATCH apps/v1 deployments/frontend/scale in bank-of-anthos: spec.replicas → 0 (merge patch)',
    );
    expect(lines['central (lab-central)']![0]).to.equal(
      'record Deployment bank-of-anthos/frontend spec.replicas (journal + annotation chaos.dev/original-replicas)',
    );
  });

  it('ledger-db-zero: a StatefulSet through its scale subresource in west', () => {
    const lines = linesOf(plannedFault('ledger-db-zero'));
    expect(Object.values(lines).flat()).to.include(
      'PATCH apps/v1 statefulsets/ledger-db/scale in bank-of-anthos: spec.replicas → 0 (merge patch)',
    );
  });

  it('istio-abort: our named route in the gateway-bound VirtualService of central', () => {
    const lines = linesOf(plannedFault('istio-abort'));
    expect(Object.keys(lines)).to.deep.equal(['central (lab-central)']);
    const [find, patch] = lines['central (lab-central)']!;
    expect(find).to.equal(
      'find every gateway-bound VirtualService routing host "frontend" in any namespace (networking.istio.io/v1)',
    );
    expect(patch)
      .to.include('insert route "chaos-r1-istio-abort-1" at spec.http[0]')
      .and.include('fault abort.httpStatus 503 for 10% of requests');
  });

  it('istio-delay with cluster: all writes into every cluster (each control plane reads only its own)', () => {
    const lines = linesOf(plannedFault('istio-delay'));
    expect(Object.keys(lines)).to.deep.equal(['central (lab-central)', 'west (lab-west)']);
    for (const cluster of Object.values(lines)) {
      expect(cluster[1])
        .to.include('insert route "chaos-r1-istio-delay-1"')
        .and.include('fault delay.fixedDelay 100ms for 100% of requests');
      expect(cluster[2]).to.equal(
        'if no VirtualService routes "balancereader": create VirtualService "chaos-r1-istio-delay-1" (hosts [balancereader], one route with the fault)',
      );
    }
  });

  it('drain-central: cordon and evict in central, only the listed namespace', () => {
    const lines = linesOf(plannedFault('drain-central'))['central (lab-central)']!;
    expect(lines[0]).to.match(/^cordon every schedulable Node/);
    expect(lines[1]).to.equal(
      'evict the Pods of bank-of-anthos through policy/v1 Eviction, retrying on 429 from a PodDisruptionBudget; skip DaemonSet and mirror Pods',
    );
  });

  it('pod-kill-frontend: one Pod every 10s in each cluster', () => {
    const lines = linesOf(plannedFault('pod-kill-frontend'));
    expect(Object.keys(lines)).to.deep.equal(['central (lab-central)', 'west (lab-west)']);
    expect(lines['west (lab-west)']![0]).to.match(
      /^DELETE 1 Pod\(s\) matching app=frontend in bank-of-anthos, every 10s during the phase/,
    );
  });
});

/**
 * Each case reads the clusters after apply and checks them against the plan's own lines (names
 * parsed from the text `chaos plan` prints), never against the records apply returned.
 */
type Check = (s: FaultTestServer, lines: Record<string, string[]>) => Promise<void>;
const clusters = ['central', 'west'] as const;
const nameIn = (line: string | undefined, pattern: RegExp): string => {
  const found = pattern.exec(line ?? '')?.[1];
  if (!found) expect.fail(`no match for ${pattern} in plan line: ${line}`);
  return found;
};
const routeNames = async (s: FaultTestServer, cluster: string): Promise<string[]> =>
  ((await apiOf(s, cluster).readVirtualService(s.namespace, 'frontend-ingress')).spec?.http ?? []).map(
    (route) => (route as { name?: string }).name ?? '',
  );

const cases: Array<{ fault: Fault; check: Check }> = [
  {
    fault: {
      id: 'zero',
      type: 'scale',
      clusters: { kind: 'named', names: ['central'] },
      kind: 'Deployment',
      name: 'frontend',
      replicas: 0,
    },
    check: async (s, lines) => {
      expect(Object.keys(lines)).to.deep.equal(['central']);
      const line = lines.central!.find((l) => l.includes('/scale in '));
      const [, name, namespace, replicas] =
        /deployments\/(\S+)\/scale in (\S+): spec\.replicas → (\d+)/.exec(line ?? '') ?? [];
      expect(name, `plan line: ${line}`).to.be.a('string');
      const central = await apiOf(s, 'central').readWorkload('Deployment', namespace!, name!);
      expect(central.spec?.replicas).to.equal(Number(replicas));
      const west = await apiOf(s, 'west').readWorkload('Deployment', namespace!, name!);
      expect(west.spec?.replicas, 'west is not in the plan: untouched').to.equal(2);
    },
  },
  {
    fault: {
      id: 'abort',
      type: 'istio-abort',
      clusters: { kind: 'named', names: ['west'] },
      host: 'frontend',
      via: 'ingress',
      percentage: 10,
      status: 503,
    },
    check: async (s, lines) => {
      expect(Object.keys(lines)).to.deep.equal(['west']);
      const route = nameIn(lines.west!.join('\n'), /insert route "([^"]+)" at spec\.http\[0\]/);
      expect((await routeNames(s, 'west'))[0]).to.equal(route);
      expect(await routeNames(s, 'central'), 'central is not in the plan').not.to.include(route);
    },
  },
  {
    fault: {
      id: 'slow',
      type: 'istio-delay',
      clusters: { kind: 'all' },
      host: 'balancereader',
      via: 'mesh',
      percentage: 100,
      delayMs: 100,
    },
    check: async (s, lines) => {
      expect(Object.keys(lines)).to.deep.equal([...clusters]);
      for (const cluster of clusters) {
        const created = nameIn(lines[cluster]!.join('\n'), /create VirtualService "([^"]+)"/);
        const vs = await apiOf(s, cluster).readVirtualService(s.namespace, created);
        expect(vs.spec?.hosts, `${cluster}: the planned VirtualService exists with the planned host`).to.deep.equal([
          'balancereader',
        ]);
      }
    },
  },
  {
    fault: {
      id: 'drain',
      type: 'drain',
      clusters: { kind: 'named', names: ['central'] },
      namespaces: ['bank-of-anthos'],
    },
    check: async (s, lines) => {
      expect(Object.keys(lines)).to.deep.equal(['central']);
      expect(lines.central![0]).to.match(/^cordon every schedulable Node/);
      const namespaces = nameIn(lines.central!.join('\n'), /evict the Pods of (\S+) through/);
      expect(namespaces).to.equal(s.namespace);
      const central = await apiOf(s, 'central').listNodes();
      expect(central.length).to.be.greaterThan(0);
      expect(central.map((node) => [node.metadata?.name, node.spec?.unschedulable ?? false])).to.deep.equal(
        central.map((node) => [node.metadata?.name, true]),
      );
      const west = await apiOf(s, 'west').listNodes();
      expect(
        west.filter((node) => node.spec?.unschedulable),
        'west is not in the plan',
      ).to.deep.equal([]);
    },
  },
];

for (const factory of serverFactories) {
  describe(`what apply does is what chaos plan said, against ${factory.label}`, function () {
    this.timeout(180_000);
    let server: FaultTestServer | undefined;
    before(async function () {
      this.timeout(600_000);
      server = await factory.start();
    });
    after(async function () {
      this.timeout(60_000);
      await server?.stop();
    });
    for (const { fault, check } of cases) {
      it(`${fault.type}: same clusters and the planned mutation`, async () => {
        const s = server ?? expect.fail('no server');
        await Promise.all(['central', 'west'].map((cluster) => waitSettled(apiOf(s, cluster), s.namespace)));
        const t = await openTestSession(s);
        const phase = phaseOf(s, t.runId, [fault]);
        const planned = phase.faults[0]!;
        const lines = Object.fromEntries(planned.targets.map((target) => [target.cluster, target.mutations]));
        try {
          await t.session.apply(phase);
          await check(s, lines);
        } finally {
          await t.session.revert(phase);
          await t.close();
        }
      });
    }
  });
}
