/**
 * The default Bank of Anthos lab through its two ingresses (judged items 1, 3 and 8 of issue 3):
 * both answer and name the serving cluster; frontend at 0 in both clusters answers 503 "no
 * healthy upstream" at both; ledger-db at 0 in west fails the requests that need it, at both.
 */
import { expect } from 'chai';
import type { RunningLab } from '../../src/lab/index.js';
import {
  clientsFor,
  get,
  ingressOf,
  readyPods,
  scale,
  sequential,
  session,
  startTestLab,
  upstreamHeader,
  waitFor,
  type Clients,
} from './lab-test-kit.js';

const ns = 'bank-of-anthos';
const propagationDelayMs = 200;

describe('lab ingresses with the default Bank of Anthos topology', function () {
  this.timeout(60_000);
  let lab: RunningLab;
  let errors: string[];
  let central: Clients;
  let west: Clients;

  before(async () => {
    ({ lab, errors } = await startTestLab({
      propagationDelayMs,
      timing: { startupMs: 150, readinessMs: 100, terminationGraceMs: 500 },
    }));
    central = clientsFor(lab, 'central');
    west = clientsFor(lab, 'west');
  });
  after(async () => lab?.stop());
  afterEach(() => expect(errors, 'controller errors').to.deep.equal([]));

  it('answers on both ingresses, each naming the cluster and Pod that served it', async () => {
    for (const cluster of ['central', 'west']) {
      const samples = await sequential(ingressOf(lab, cluster), '/', 20);
      expect(samples.map((s) => s.status)).to.deep.equal(Array(20).fill(200));
      expect(new Set(samples.map((s) => s.cluster))).to.deep.equal(new Set([cluster]));
      expect(samples.every((s) => s.pod.startsWith('frontend-'))).to.equal(true);
      // Nothing private: who served is told by the EnvoyFilter's header alone, a Pod's ip:port.
      expect(Object.keys(samples[0]?.headers ?? {}).filter((name) => name.startsWith('x-chaos-'))).to.deep.equal([
        upstreamHeader,
      ]);
      expect(samples[0]?.headers[upstreamHeader]).to.match(/^127\.\d+\.\d+\.\d+:\d+$/);
      const home = await sequential(ingressOf(lab, cluster), '/home', 3, 60_000, session);
      expect(home.map((s) => s.status)).to.deep.equal([200, 200, 200]);
      // The three backends answered: a balance, transaction rows and a contact on the page.
      expect(home[0]?.body).to.match(/<span class="h1 mb-0">\$[0-9,]+\.\d\d</);
      expect(home[0]?.body).to.contain('transaction-amount').and.to.contain('1055757655');
    }
  });

  it("behaves like Bank of Anthos's frontend: no token, /home redirects to /login; login goes through userservice and sets the token", async () => {
    const url = ingressOf(lab, 'central');
    const anonymous = await get(url, '/home');
    expect([anonymous.status, anonymous.headers.location]).to.deep.equal([302, '/login']);
    const page = await get(url, '/login');
    expect(page.status).to.equal(200);
    expect(page.body).to.contain('login-form');
    const login = await get(url, '/login', 10_000, 'frontend.lab.local', { method: 'POST' });
    expect([login.status, login.headers.location]).to.deep.equal([302, '/home']);
    expect(String(login.headers['set-cookie'])).to.match(/^token=[^;]+;/);
    const refused = await get(url, '/payment', 10_000, 'frontend.lab.local', { method: 'POST' });
    expect(refused.status, 'a payment without a token').to.equal(401);
    // Login needs userservice: without it, back to /login with a message, never a token.
    await scale(central, ns, 'userservice', 0);
    await scale(west, ns, 'userservice', 0);
    await waitFor(
      'userservice gone in both clusters',
      async () =>
        (await get(url, '/login', 10_000, 'frontend.lab.local', { method: 'POST' })).headers.location ===
        '/login?msg=Login+Failed'
          ? true
          : undefined,
      10_000,
    );
    // Still a page with userservice gone (that no backend is asked is shown by the next test).
    expect((await get(url, '/login')).status, 'GET /login without userservice').to.equal(200);
    await scale(central, ns, 'userservice', 1);
    await scale(west, ns, 'userservice', 1);
    await waitFor('userservice back', async () =>
      (await get(url, '/login', 10_000, 'frontend.lab.local', { method: 'POST' })).headers.location === '/home'
        ? true
        : undefined,
    );
  });

  it("GET /login calls no backend: no backend Pod's access log has a request from frontend for it; POST /login's call to userservice is seen", async () => {
    /** Requests frontend made to each backend since `since`: every backend Pod's access log (`kubectl logs`). */
    const backendCalls = async (since: string): Promise<Record<string, number>> => {
      const calls: Record<string, number> = {};
      for (const clients of [central, west]) {
        const pods = await clients.core.listNamespacedPod({ namespace: ns });
        for (const pod of pods.items) {
          const app = pod.metadata?.labels?.app ?? '';
          if (app === 'frontend' || !pod.metadata?.name) continue;
          const log = await clients.core.readNamespacedPodLog({ name: pod.metadata.name, namespace: ns });
          const lines = String(log)
            .split('\n')
            .filter((line) => / caller=\S+\/frontend-/.test(line) && line.slice(0, 24) >= since);
          if (lines.length > 0) calls[app] = (calls[app] ?? 0) + lines.length;
        }
      }
      return calls;
    };
    for (const cluster of ['central', 'west']) {
      const since = new Date().toISOString();
      const pages = await sequential(ingressOf(lab, cluster), '/login', 10);
      expect(pages.map((page) => page.status)).to.deep.equal(Array(10).fill(200));
      expect(
        pages.every((page) => page.pod.startsWith('frontend-')),
        'frontend rendered them',
      ).to.equal(true);
      expect(await backendCalls(since), `backends called by GET /login at ${cluster}`).to.deep.equal({});
      // The count sees a call when there is one: POST /login asks userservice once.
      const login = await get(ingressOf(lab, cluster), '/login', 10_000, 'frontend.lab.local', { method: 'POST' });
      expect(login.headers.location).to.equal('/home');
      expect(await backendCalls(since), `backends called by POST /login at ${cluster}`).to.deep.equal({
        userservice: 1,
      });
    }
  });

  it('applies at the ingress only VirtualServices bound to a Gateway that selects it, most specific host first', async () => {
    const vs = (name: string, gateway: string) => ({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name },
      spec: {
        hosts: ['special.example'],
        gateways: [gateway],
        http: [
          {
            fault: { abort: { httpStatus: 418, percentage: { value: 100 } } },
            route: [{ destination: { host: 'frontend' } }],
          },
        ],
      },
    });
    const api = { group: 'networking.istio.io', version: 'v1', namespace: ns, plural: 'virtualservices' } as const;
    const url = ingressOf(lab, 'central');
    const special = async (): Promise<number> => (await get(url, '/', 5_000, 'special.example')).status;
    await central.custom.createNamespacedCustomObject({ ...api, body: vs('elsewhere', 'some-other-gateway') });
    // A marker bound to frontend-gateway, created after: once it answers, the control plane has
    // delivered 'elsewhere' too (changes arrive in order) — no guessed pause.
    const marker = {
      ...vs('marker', 'frontend-gateway'),
      spec: { ...vs('marker', 'frontend-gateway').spec, hosts: ['marker.example'] },
    };
    await central.custom.createNamespacedCustomObject({ ...api, body: marker });
    await waitFor('the marker route in effect', async () =>
      (await get(url, '/', 5_000, 'marker.example')).status === 418 ? true : undefined,
    );
    expect(await special(), 'bound to a Gateway that does not exist: the "*" route serves').to.equal(200);
    await central.custom.createNamespacedCustomObject({ ...api, body: vs('special', 'frontend-gateway') });
    await waitFor('special.example bound to frontend-gateway in effect', async () =>
      (await special()) === 418 ? true : undefined,
    );
    expect((await get(url, '/')).status, 'other hosts still take "*"').to.equal(200);
    for (const name of ['elsewhere', 'special', 'marker'])
      await central.custom.deleteNamespacedCustomObject({ ...api, name });
  });

  it('fails the requests that need ledger-db, through both ingresses, when ledger-db is at 0 in west', async () => {
    await scale(west, ns, 'ledger-db', 0, 'StatefulSet');
    await waitFor('ledger-db gone', async () =>
      (await readyPods(west, ns, 'ledger-db')).length === 0 ? true : undefined,
    );
    await waitFor(
      'endpoint removal propagated',
      async () =>
        (await sequential(ingressOf(lab, 'west'), '/home', 1, 60_000, session))[0]?.body.includes('$---')
          ? true
          : undefined,
      5_000,
    );
    for (const cluster of ['central', 'west']) {
      // As the real frontend: the page still answers 200, with the balance and history empty.
      const needsLedger = await sequential(ingressOf(lab, cluster), '/home', 10, 60_000, session);
      expect(
        needsLedger.map((s) => s.status),
        `${cluster} /home`,
      ).to.deep.equal(Array(10).fill(200));
      expect(needsLedger.every((s) => s.body.includes('$---') && s.body.includes('No Transactions Found'))).to.equal(
        true,
      );
      expect(needsLedger[0]?.body, 'contacts does not need ledger-db').to.contain('1055757655');
      const payment = await sequential(ingressOf(lab, cluster), '/payment', 5, 60_000, { ...session, method: 'POST' });
      expect(
        payment.map((s) => `${s.status} ${String(s.headers.location)}`),
        `${cluster} /payment`,
      ).to.deep.equal(Array(5).fill('302 /home?msg=Payment+failed'));
      const login = await sequential(ingressOf(lab, cluster), '/login', 5, 60_000, { method: 'POST' });
      expect(
        login.map((s) => `${s.status} ${String(s.headers.location)}`),
        `${cluster} POST /login needs only userservice and accounts-db`,
      ).to.deep.equal(Array(5).fill('302 /home'));
    }
    await scale(west, ns, 'ledger-db', 1, 'StatefulSet');
    await waitFor(
      'ledger-db back',
      async () =>
        (await sequential(ingressOf(lab, 'central'), '/home', 1, 60_000, session))[0]?.body.includes('$1,234.56')
          ? true
          : undefined,
      10_000,
    );
  });

  it('answers 503 "no healthy upstream" on both ingresses when frontend is at 0 in both clusters', async () => {
    await scale(central, ns, 'frontend', 0);
    await scale(west, ns, 'frontend', 0);
    for (const clients of [central, west])
      await waitFor('frontend Pods gone', async () =>
        (await readyPods(clients, ns, 'frontend')).length === 0 ? true : undefined,
      );
    // Each gateway learns of the removal after the propagation delay: wait for both, not one.
    for (const cluster of ['central', 'west'])
      await waitFor(
        `removal propagated to ${cluster}`,
        async () => {
          const [sample] = await sequential(ingressOf(lab, cluster), '/', 1);
          return sample?.status === 503 && sample.body === 'no healthy upstream' ? true : undefined;
        },
        15_000,
      );
    for (const cluster of ['central', 'west']) {
      const samples = await sequential(ingressOf(lab, cluster), '/', 10);
      expect(samples.map((s) => s.status)).to.deep.equal(Array(10).fill(503));
      expect(samples[0]?.body).to.equal('no healthy upstream');
      // A local reply of the gateway: no upstream, so Envoy's %UPSTREAM_REMOTE_ADDRESS% is empty and no header.
      expect(samples[0]?.headers[upstreamHeader]).to.equal(undefined);
    }
    await scale(central, ns, 'frontend', 2);
    await scale(west, ns, 'frontend', 2);
    await waitFor(
      'frontend back',
      async () => ((await sequential(ingressOf(lab, 'central'), '/', 1))[0]?.status === 200 ? true : undefined),
      10_000,
    );
  });
});
