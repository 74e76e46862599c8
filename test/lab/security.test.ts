/**
 * Judged item 10 of issue 3: requests without the token get 401 with a Status body; the API
 * servers, the ingresses and every Pod listen on loopback only. The bound addresses are read
 * from the sockets themselves (the lab's listeners) and, on Linux, from the kernel's table of
 * listening sockets — no traffic goes to any non-loopback address to find out.
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { expect } from 'chai';
import { ApiException } from '@kubernetes/client-node';
import type { RunningLab } from '../../src/lab/index.js';
import { clientsFor, startTestLab } from './lab-test-kit.js';

function rawGet(
  lab: RunningLab,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, lab.clusters[1]?.apiUrl), { ca: lab.caPem, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Listening TCP sockets from /proc/net/tcp{,6}: "address:port" with the address decoded. */
function kernelListeners(): { address: string; port: number }[] {
  const decode4 = (hex: string): string => [3, 2, 1, 0].map((i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join('.');
  const result: { address: string; port: number }[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[3] !== '0A') continue; // LISTEN
      const [hexAddress = '', hexPort = '0'] = (fields[1] ?? '').split(':');
      const ipv6Wildcard = /^0{32}$/.test(hexAddress);
      const address = hexAddress.length === 8 ? decode4(hexAddress) : ipv6Wildcard ? '::' : `ipv6:${hexAddress}`;
      result.push({ address, port: parseInt(hexPort, 16) });
    }
  }
  return result;
}

describe('lab security: token auth and loopback only', function () {
  this.timeout(30_000);
  let lab: RunningLab;

  before(async () => {
    ({ lab } = await startTestLab({
      propagationDelayMs: 50,
      timing: { startupMs: 50, readinessMs: 50, terminationGraceMs: 200 },
    }));
  });
  after(async () => lab?.stop());

  it('answers 401 Unauthorized with a Status body without the token or with a wrong one', async () => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: 'Bearer wrong' },
      { authorization: `Basic ${lab.token}` },
    ];
    for (const headers of attempts) {
      const answer = await rawGet(lab, '/api/v1/namespaces', headers);
      expect(answer.status).to.equal(401);
      expect(JSON.parse(answer.body)).to.deep.equal({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'Unauthorized',
        reason: 'Unauthorized',
        code: 401,
      });
    }
    let caught: unknown;
    try {
      await clientsFor(lab, 'central', 'not-the-token').core.listNamespace();
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(ApiException);
    expect((caught as ApiException<unknown>).code).to.equal(401);
    expect((await rawGet(lab, '/api/v1/namespaces', { authorization: `Bearer ${lab.token}` })).status).to.equal(200);
  });

  it('listens on loopback addresses only: API servers, ingresses and every Pod', () => {
    const listeners = lab.listeners();
    expect(listeners.filter((l) => l.kind === 'api')).to.have.length(2);
    expect(listeners.filter((l) => l.kind === 'ingress')).to.have.length(2);
    expect(listeners.filter((l) => l.kind === 'pod').length).to.be.greaterThan(15);
    for (const listener of listeners)
      expect(listener.address, `${listener.kind} ${listener.name}`).to.match(/^127\.\d+\.\d+\.\d+$/);
    for (const cluster of lab.clusters) {
      expect(new URL(cluster.apiUrl).hostname).to.equal('127.0.0.1');
      expect(new URL(cluster.ingressUrl).hostname).to.match(/^127\./);
    }
  });

  it("in the kernel's own socket table (/proc/net/tcp: Linux, the lab's platform), every listener is bound to its loopback address, none to a wildcard", () => {
    const listeners = lab.listeners();
    const kernel = kernelListeners();
    for (const listener of listeners) {
      const bound = kernel.filter((entry) => entry.port === listener.port);
      expect(bound.length, `${listener.kind} ${listener.name} :${listener.port} in /proc/net/tcp`).to.be.greaterThan(0);
      const wildcard = bound.filter((entry) => entry.address === '0.0.0.0' || entry.address === '::');
      expect(wildcard, `${listener.kind} ${listener.name} :${listener.port} bound to a wildcard address`).to.deep.equal(
        [],
      );
      expect(bound.some((entry) => entry.address === listener.address)).to.equal(true);
    }
  });
});
