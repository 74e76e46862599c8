/**
 * Judged by 8: `chaos plan` shows each fault's exact mutation per cluster. First the sentences
 * for every shipped scenario (pure); then, against the lab and real kube-apiservers, that what
 * apply really does is what the plan said: same clusters, same objects, same values, same
 * route names.
 */
import { expect } from 'chai';
import { loadScenario } from '../../src/play/load-inputs.js';
import type { Mutation } from '../../src/faults/mutation.js';
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

const cases: Array<{ fault: Fault; check(mutations: Mutation[], lines: string[]): void }> = [
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
    check: (mutations, lines) => {
      const scale = mutations.find((m) => m.kind === 'scale');
      expect(lines.join('\n'))
        .to.include(
          `deployments/${scale?.kind === 'scale' ? scale.name : '?'} in ${scale?.kind === 'scale' ? scale.namespace : '?'}: test metadata.resourceVersion`,
        )
        .and.include(`replace spec.replicas → ${scale?.kind === 'scale' ? scale.replicas : '?'}`);
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
    check: (mutations, lines) => {
      const insert = mutations.find((m) => m.kind === 'route-insert');
      expect(lines.join('\n')).to.include(
        `insert route "${insert?.kind === 'route-insert' ? insert.routes[0] : '?'}" at spec.http[0]`,
      );
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
    check: (mutations, lines) => {
      const created = mutations.find((m) => m.kind === 'virtualservice-create');
      expect(lines.join('\n')).to.include(
        `create VirtualService "${created?.kind === 'virtualservice-create' ? created.virtualService : '?'}"`,
      );
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
    check: (mutations, lines) => {
      // A namespace drain cordons nothing: it scales the namespace's workloads to zero.
      expect(mutations.some((m) => m.kind === 'cordon')).to.equal(false);
      const scaled = [...new Set(mutations.flatMap((m) => (m.kind === 'scale' ? [m.namespace] : [])))];
      expect(scaled).to.deep.equal(['bank-of-anthos']);
      expect(lines.join('\n')).to.include(
        `scale every Deployment and StatefulSet of ${scaled.join(', ')} in central to 0`,
      );
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
        const applied = await t.session.apply(phase);
        const planned = phase.faults[0]!;
        expect(applied.map((a) => a.cluster)).to.deep.equal(planned.targets.map((target) => target.cluster));
        for (const target of planned.targets)
          check(applied.find((a) => a.cluster === target.cluster)!.mutations, target.mutations);
        await t.session.revert(phase);
        await t.close();
      });
    }
  });
}
