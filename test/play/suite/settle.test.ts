/**
 * The settle check between scenarios, with stand-in workloads and a loopback server as the
 * ingress: it waits for every workload to be ready and for the probe's error rate to come back
 * to the baseline; it gives up at its timeout and says what is still wrong. Bounded throughout.
 */
import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ClusterApi, ClusterApis } from '../../../src/kube/cluster-api.js';
import type { Deployment } from '../../../src/kube/types.js';
import {
  ingressesAboveBaseline,
  probeIngresses,
  settleEnvironment,
  type SettleTarget,
} from '../../../src/play/suite/settle.js';

/** A cluster whose frontend becomes ready after `readyAfter` looks. */
function cluster(readyAfter: number): { api: ClusterApi; looks: () => number } {
  let looks = 0;
  const api = {
    listWorkloads: async (kind: string) => {
      if (kind !== 'Deployment') return [];
      looks += 1;
      const ready = looks > readyAfter ? 2 : 0;
      return [
        { metadata: { name: 'frontend' }, spec: { replicas: 2 }, status: { readyReplicas: ready } } as Deployment,
      ];
    },
  } as unknown as ClusterApi;
  return { api, looks: () => looks };
}

describe('suites: the settle check', function () {
  this.timeout(20_000);
  let server: Server;
  let failNext = 0;
  let base: string;
  before(async () => {
    server = createServer((_request, response) => {
      response.statusCode = failNext > 0 ? 503 : 200;
      if (failNext > 0) failNext -= 1;
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const target = (apis: ClusterApis): SettleTarget => ({
    apis,
    namespace: 'bank-of-anthos',
    ingressUrls: { central: `${base}/c` },
    path: '/',
  });

  it('waits until every workload is ready and the error rate is back at the baseline', async () => {
    const central = cluster(2);
    failNext = 15; // the first probe of 10 fails entirely, the second half, the third is clean
    const report = await settleEnvironment(target(new Map([['central', central.api]])), {
      timeoutMs: 10_000,
      probeRequests: 10,
      tolerance: 0.05,
      pauseMs: 20,
      baseline: [{ ingress: 'central', requests: 10, failures: 0 }],
    });
    expect(report.settled, report.message).to.equal(true);
    expect(central.looks()).to.equal(5);
    expect(report.probes).to.equal(3);
    expect(report.lastProbe).to.deep.equal([{ ingress: 'central', requests: 10, failures: 0 }]);
  });

  it('gives up at its timeout and names what is not ready', async () => {
    const report = await settleEnvironment(target(new Map([['west', cluster(1_000_000).api]])), {
      timeoutMs: 100,
      probeRequests: 5,
      tolerance: 0.05,
      pauseMs: 20,
      baseline: [],
    });
    expect(report.settled).to.equal(false);
    expect(report.probes).to.equal(0);
    expect(report.message).to.match(
      /did not settle within 0s: not ready: west: Deployment bank-of-anthos\/frontend 0\/2 ready/,
    );
  });

  it('an ingress above its baseline error rate keeps the environment unsettled', async () => {
    failNext = 1_000;
    const report = await settleEnvironment(target(new Map([['central', cluster(0).api]])), {
      timeoutMs: 100,
      probeRequests: 3,
      tolerance: 0.05,
      pauseMs: 20,
      baseline: [{ ingress: 'central', requests: 3, failures: 0 }],
    });
    failNext = 0;
    expect(report.settled).to.equal(false);
    expect(report.message).to.include('error rate above baseline: central 3/3 failed (last: HTTP 503)');
  });

  it('compares with the baseline plus the tolerance, per ingress', async () => {
    const probes = await probeIngresses(target(new Map()), 4);
    expect(probes).to.deep.equal([{ ingress: 'central', requests: 4, failures: 0 }]);
    const baseline = [
      { ingress: 'a', requests: 20, failures: 2 },
      { ingress: 'b', requests: 20, failures: 0 },
    ];
    const now = [
      { ingress: 'a', requests: 20, failures: 3 },
      { ingress: 'b', requests: 20, failures: 2 },
    ];
    expect(ingressesAboveBaseline(now, baseline, 0.05).map((p) => p.ingress)).to.deep.equal(['b']);
  });
});
