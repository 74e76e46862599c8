/**
 * Judged by 8: `chaos plan` shows each fault's exact mutation per cluster. First the sentences
 * for every shipped scenario (pure); then, against the lab and real kube-apiservers, that what
 * apply really does is what the plan said: same clusters, same objects, same values, same
 * route names.
 */
import { expect } from 'chai';
import { loadScenario } from '../../src/play/load-inputs.js';
import { buildPlan, type PlannedFault } from '../../src/run/plan/build-plan.js';
import type { Fault } from '../../src/scenario/types.js';
import { projectRoot } from '../support/cli.js';
import { apiOf, describeForEachServer, type FaultTestServer } from './support/servers.js';
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
  it('frontend-zero: one JSON patch (resourceVersion test, annotations, replicas) in central only', () => {
    const lines = linesOf(plannedFault('frontend-zero'));
    expect(Object.keys(lines)).to.deep.equal(['central (lab-central)']);
    expect(lines['central (lab-central)']).to.include(
      'record spec.replicas (journal), then ONE JSON patch of apps/v1 deployments/frontend in bank-of-anthos: test metadata.resourceVersion, add annotations chaos.dev/run, chaos.dev/original-replicas, …, replace spec.replicas → 0',
    );
    expect(lines['central (lab-central)']![0]).to.equal(
      'refuse if Deployment bank-of-anthos/frontend, its HorizontalPodAutoscaler or its KEDA ScaledObject is held by another chaos run',
    );
  });

  it('ledger-db-zero: a StatefulSet in west, refused if its scale-down deletes volumes', () => {
    const lines = Object.values(linesOf(plannedFault('ledger-db-zero'))).flat();
    expect(lines).to.include(
      'record spec.replicas (journal), then ONE JSON patch of apps/v1 statefulsets/ledger-db in bank-of-anthos: test metadata.resourceVersion, add annotations chaos.dev/run, chaos.dev/original-replicas, …, replace spec.replicas → 0',
    );
    expect(lines[0]).to.include(
      'or if its persistentVolumeClaimRetentionPolicy.whenScaled is Delete and this scales it down (override: allowDataLoss: true)',
    );
  });

  it('istio-abort: our named route in the gateway-bound VirtualService of central', () => {
    const lines = linesOf(plannedFault('istio-abort'));
    expect(Object.keys(lines)).to.deep.equal(['central (lab-central)']);
    const [find, patch] = lines['central (lab-central)']!;
    expect(find).to.equal(
      'find every gateway-bound VirtualService routing host "frontend", any namespace, delegates followed, in central (networking.istio.io/v1)',
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
        'if no VirtualService routes "balancereader": create VirtualService "chaos-r1-istio-delay-1" (hosts [balancereader], one route with the fault); refuse, naming both, where that would be a second VirtualService for the host (TCP/TLS only, not exported to bank-of-anthos, or two already)',
      );
    }
  });

  it('drain-central: only the listed namespace, scaled to zero in central, no Node cordoned', () => {
    const lines = linesOf(plannedFault('drain-central'))['central (lab-central)']!;
    expect(lines.slice(0, 4)).to.deep.equal([
      'refuse (listing them) Pods without a controller (override: force: true)',
      'refuse (listing them) Pods with emptyDir volumes (override: deleteEmptyDirData: true)',
      'never touch Pods in kube-system, istio-system, asm-system, asm-gateways, istio-gateways, istio-ingress or labelled app=istiod, istio=ingressgateway, istio=egressgateway, istio=eastwestgateway, app.kubernetes.io/name=chaos; skip DaemonSet and mirror Pods',
      'no Node is cordoned: other namespaces keep scheduling',
    ]);
    expect(lines[4]).to.match(/^scale every Deployment and StatefulSet of bank-of-anthos in central to 0/);
    expect(lines.join('\n')).to.not.match(/cordon every/);
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
      allowDataLoss: false,
    },
    check: async (s, lines) => {
      expect(Object.keys(lines)).to.deep.equal(['central']);
      const line = lines.central!.find((l) => l.includes('ONE JSON patch'));
      const [, name, namespace] = /deployments\/(\S+) in (\S+): test metadata\.resourceVersion/.exec(line ?? '') ?? [];
      const replicas = /replace spec\.replicas → (\d+)/.exec(line ?? '')?.[1];
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
      force: false,
      deleteEmptyDirData: false,
      allowDataLoss: false,
    },
    check: async (s, lines) => {
      expect(Object.keys(lines)).to.deep.equal(['central']);
      // A namespace drain cordons nothing: it scales the namespace's workloads to zero.
      const namespaces = nameIn(
        lines.central!.join('\n'),
        /scale every Deployment and StatefulSet of (\S+) in central to 0/,
      );
      expect(namespaces).to.equal(s.namespace);
      const central = await apiOf(s, 'central').listNodes();
      expect(
        central.filter((node) => node.spec?.unschedulable),
        'no Node cordoned',
      ).to.deep.equal([]);
      const workloads = await apiOf(s, 'central').listWorkloads('Deployment', s.namespace);
      expect(workloads.map((w) => [w.metadata?.name, w.spec?.replicas])).to.deep.equal(
        workloads.map((w) => [w.metadata?.name, 0]),
      );
      const west = await apiOf(s, 'west').listNodes();
      expect(
        west.filter((node) => node.spec?.unschedulable),
        'west is not in the plan',
      ).to.deep.equal([]);
    },
  },
];

describeForEachServer(
  (label) => `what apply does is what chaos plan said, against ${label}`,
  (live) => {
    for (const { fault, check } of cases) {
      it(`${fault.type}: same clusters and the planned mutation`, async () => {
        const s = live();
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
  },
);
