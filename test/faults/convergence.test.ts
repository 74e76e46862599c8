/**
 * Issue 15, judged by 3 (scope, measured through the lab's mesh and ingress) and 5 (the journal
 * carries API time and converged time; on the lab converged − API ≈ its propagation delay).
 * Against the lab with its default 500 ms propagation delay: the data plane is measured with
 * real requests through the ingress gateway (gateway traffic) and through frontend (which calls
 * userservice over the mesh). Every request loop is bounded in count and time; only loopback.
 */
import { expect } from 'chai';
import http from 'node:http';
import { convergenceMissing } from '../../src/faults/istio/route-revert.js';
import type { VirtualService } from '../../src/kube/types.js';
import type { JournalEntry } from '../../src/run/record/run-events.js';
import { apiOf, labServerWith, type FaultTestServer } from './support/servers.js';
import { openTestSession, phaseOf, waitFor, waitSettled } from './support/session.js';

const propagationDelayMs = 500;
const central = { kind: 'named' as const, names: ['central'] };

/** One request through the lab's ingress of `cluster`, with a Host header; bounded by a timeout. */
function get(server: FaultTestServer, cluster: string, host: string, path: string): Promise<number> {
  const url = new URL(server.ingressUrls[cluster]!);
  if (!['127.0.0.1', '::1'].includes(url.hostname) && !url.hostname.startsWith('127.'))
    throw new Error(`not loopback: ${url.hostname}`);
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: url.hostname, port: url.port, path, method: 'GET', headers: { host }, timeout: 10_000 },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    request.on('timeout', () => request.destroy(new Error(`timeout: ${host}${path}`)));
    request.on('error', reject);
    request.end();
  });
}

async function statuses(server: FaultTestServer, host: string, path: string, count = 20): Promise<number[]> {
  const seen: number[] = [];
  for (let i = 0; i < count; i += 1) seen.push(await get(server, 'central', host, path));
  return seen;
}

function only<T extends JournalEntry['type']>(
  entries: JournalEntry[],
  type: T,
): Array<Extract<JournalEntry, { type: T }>> {
  return entries.filter((entry): entry is Extract<JournalEntry, { type: T }> => entry.type === type);
}

describe('Istio faults take effect when the data plane has them (the lab, 500 ms propagation)', function () {
  this.timeout(180_000);
  let server: FaultTestServer | undefined;
  const lab = (): FaultTestServer => {
    if (!server) throw new Error('the lab did not start');
    return server;
  };
  before(async function () {
    this.timeout(120_000);
    server = await labServerWith(propagationDelayMs).start();
    await waitSettled(apiOf(lab(), 'central'), lab().namespace);
  });
  after(async function () {
    this.timeout(60_000);
    await server?.stop();
  });

  it('journal: converged − API ≈ the propagation delay, on apply and on revert; traffic is faulted exactly from then on', async () => {
    const t = await openTestSession(lab());
    const phase = phaseOf(lab(), t.runId, [
      {
        id: 'abort',
        type: 'istio-abort',
        clusters: central,
        host: 'frontend',
        via: 'ingress',
        percentage: 100,
        status: 503,
      },
    ]);
    const [applied] = await t.session.apply(phase);
    // Effective means the data plane has it: every request from now on is aborted.
    expect(await statuses(lab(), 'frontend.lab.local', '/')).to.deep.equal(Array(20).fill(503));
    await t.session.revert(phase);
    expect((await statuses(lab(), 'frontend.lab.local', '/')).filter((status) => status === 503)).to.deep.equal([]);
    await t.close();

    const entries = await t.entries();
    const intended = only(entries, 'mutation-intended').find((entry) => entry.mutation.kind === 'route-insert')!;
    const apiAt = only(entries, 'mutation-done').find((entry) => entry.id === intended.id)!.atMs;
    const appliedEntry = only(entries, 'fault-applied')[0]!;
    expect(appliedEntry.convergence).to.equal('status');
    expect(appliedEntry.convergedAtMs).to.equal(applied!.convergedAtMs);
    // The data plane cannot have it before the delay; the upper bound only catches nonsense.
    const applyLag = appliedEntry.convergedAtMs! - apiAt;
    expect(applyLag).to.be.within(propagationDelayMs - 50, propagationDelayMs + 5_000);
    const revertAt = only(entries, 'mutation-reverted').find((entry) => entry.id === intended.id)!.atMs;
    const verified = only(entries, 'fault-revert-verified')[0]!;
    expect(verified.convergence).to.equal('status');
    const revertLag = verified.convergedAtMs! - revertAt;
    expect(revertLag).to.be.within(propagationDelayMs - 100, propagationDelayMs + 5_000);
    console.log(
      `      converged − API on the lab (delay ${propagationDelayMs} ms): apply ${applyLag} ms, revert ${revertLag} ms`,
    );
  });

  it('via: ingress on a VirtualService bound to the gateway and mesh faults gateway traffic only', async () => {
    const api = apiOf(lab(), 'central');
    const ns = lab().namespace;
    const both: VirtualService = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'userservice-both', namespace: ns },
      spec: {
        hosts: ['userservice'],
        gateways: ['frontend-gateway', 'mesh'],
        http: [{ name: 'all', route: [{ destination: { host: 'userservice' } }] }],
      },
    };
    await api.createVirtualService(ns, both);
    try {
      await waitFor('the lab to have userservice-both', async () =>
        convergenceMissing(await api.readVirtualService(ns, 'userservice-both')) === undefined ? true : undefined,
      );
      // Before: both paths to userservice answer.
      expect(await statuses(lab(), 'userservice', '/login', 5)).to.deep.equal(Array(5).fill(200));
      expect(await statuses(lab(), 'frontend.lab.local', '/login', 5)).to.deep.equal(Array(5).fill(200));
      const t = await openTestSession(lab());
      const phase = phaseOf(lab(), t.runId, [
        {
          id: 'gw',
          type: 'istio-abort',
          clusters: central,
          host: 'userservice',
          via: 'ingress',
          percentage: 100,
          status: 418,
        },
      ]);
      await t.session.apply(phase);
      const during = await api.readVirtualService(ns, 'userservice-both');
      expect(during.spec.http?.[0]?.match).to.deep.equal([{ gateways: ['frontend-gateway'] }]);
      // Gateway traffic to userservice: faulted. Mesh traffic (frontend → userservice): untouched.
      expect(await statuses(lab(), 'userservice', '/login')).to.deep.equal(Array(20).fill(418));
      expect(await statuses(lab(), 'frontend.lab.local', '/login')).to.deep.equal(Array(20).fill(200));
      await t.session.revert(phase);
      expect(await statuses(lab(), 'userservice', '/login', 5)).to.deep.equal(Array(5).fill(200));
      await t.close();
    } finally {
      await api.deleteVirtualService(ns, 'userservice-both');
    }
  });
});
