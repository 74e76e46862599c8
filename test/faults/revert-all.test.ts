/**
 * revertAll, the path every way out of a run takes (abort limit, signal, error): called while
 * apply is still in flight it stops new mutations, lets the ones in flight land and undoes
 * them; concurrent calls share one attempt; nothing is left behind. Lab and real.
 */
import { expect } from 'chai';
import type { ClusterApi } from '../../src/kube/cluster-api.js';
import type { Fault } from '../../src/scenario/types.js';
import { apiOf, describeForEachServer, type FaultTestServer } from './support/servers.js';
import { openTestSession, phaseOf, userView, waitSettled } from './support/session.js';

const faults: Fault[] = [
  {
    id: 'zero',
    type: 'scale',
    clusters: { kind: 'named', names: ['central'] },
    kind: 'Deployment',
    name: 'frontend',
    replicas: 0,
    allowDataLoss: false,
  },
  {
    id: 'slow',
    type: 'istio-delay',
    clusters: { kind: 'all' },
    host: 'balancereader',
    via: 'mesh',
    percentage: 100,
    delayMs: 100,
  },
  {
    id: 'drain',
    type: 'drain',
    clusters: { kind: 'named', names: ['west'] },
    namespaces: ['bank-of-anthos'],
    force: false,
    deleteEmptyDirData: false,
    allowDataLoss: false,
  },
];

/** The same API, with one call that signals it was reached and then waits for the gate. */
function blockCall<K extends keyof ClusterApi>(
  api: ClusterApi,
  call: K,
  reached: () => void,
  gate: Promise<void>,
): ClusterApi {
  let blocked = false;
  return new Proxy(api, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (prop !== call || typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        if (!blocked) {
          blocked = true;
          reached();
          await gate;
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

async function state(server: FaultTestServer): Promise<unknown> {
  const central = apiOf(server, 'central');
  const west = apiOf(server, 'west');
  return {
    frontend: userView(await central.readWorkload('Deployment', server.namespace, 'frontend')),
    westNodes: (await west.listNodes()).map(userView),
    virtualServices: await Promise.all(
      [central, west].map(async (api) =>
        (await api.listVirtualServices(undefined)).map((vs) => vs.metadata.name).sort(),
      ),
    ),
  };
}

describeForEachServer(
  (label) => `revertAll against ${label}`,
  (live) => {
    beforeEach(async () => {
      await Promise.all(['central', 'west'].map((cluster) => waitSettled(apiOf(live(), cluster), live().namespace)));
    });

    it('called while apply is in flight: stops new changes, undoes those that landed, leaves nothing', async () => {
      const s = live();
      const before = await state(s);
      // Deterministic: the first mutating call (frontend's one JSON patch in central) blocks until released,
      // so revertAll is called while apply is certainly inside it.
      let reached!: () => void;
      const inFlight = new Promise<void>((resolve) => (reached = resolve));
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const apis = new Map(
        [...s.apis].map(([name, api]) => [
          name,
          name === 'central' ? blockCall(api, 'jsonPatchWorkload', reached, gate) : api,
        ]),
      );
      const t = await openTestSession(s, { apis });
      const phase = phaseOf(s, t.runId, faults);
      const applying = t.session.apply(phase).then(
        () => 'applied',
        (error: Error) => error.message,
      );
      await inFlight;
      const reverting = t.session.revertAll('SIGINT');
      release();
      const report = await reverting;
      expect(report.failures).to.deep.equal([]);
      expect(report.unverified).to.deep.equal([]);
      const applyOutcome = await applying;
      expect(t.session.outstanding()).to.deep.equal([]);
      const entries = await t.entries();
      const intended = entries.filter((e) => e.type === 'mutation-intended').length;
      const undone = entries.filter((e) => e.type === 'mutation-reverted').length;
      expect(undone, `apply ended with: ${applyOutcome}`).to.equal(intended);
      // The call in flight landed and was undone; nothing after it was started.
      expect(intended, 'only the scale that was in flight was intended').to.equal(1);
      expect(applyOutcome).to.not.equal('applied');
      expect(await state(s)).to.deep.equal(before);
      await t.close();
    });

    it('concurrent calls share one attempt; a later call finds nothing more to do', async () => {
      const s = live();
      const before = await state(s);
      const t = await openTestSession(s);
      const phase = phaseOf(s, t.runId, faults.slice(0, 2));
      await t.session.apply(phase);
      const first = t.session.revertAll('abort limit breached');
      const second = t.session.revertAll('SIGTERM');
      expect(second).to.equal(first);
      const report = await first;
      expect(report.reason).to.equal('abort limit breached');
      expect(report.reverted.map((r) => `${r.faultId}@${r.cluster}`).sort()).to.deep.equal([
        'slow@central',
        'slow@west',
        'zero@central',
      ]);
      const later = await t.session.revertAll('run ended');
      expect(later.failures).to.deep.equal([]);
      const reverts = (await t.entries()).filter((e) => e.type === 'mutation-reverted').length;
      expect(reverts).to.equal(3);
      expect(await state(s)).to.deep.equal(before);
      const again = await t.session.apply(phase).then(
        () => 'applied',
        (error: Error) => error.message,
      );
      expect(again, 'a session that reverted everything changes nothing more').to.not.equal('applied');
      await t.close();
    });
  },
);
