/**
 * The topology file: the shipped one is valid and mirrors the reference setup; a broken one
 * is refused with every problem at once, each naming the file, line, column and field.
 */
import { expect } from 'chai';
import { InputError } from '../../src/errors/errors.js';
import { defaultTopologyPath, parseTopology, readTopology } from '../../src/lab/index.js';

function problems(text: string): string[] {
  try {
    parseTopology('broken.yaml', text);
  } catch (error) {
    expect(error).to.be.instanceOf(InputError);
    return (error as InputError).issues.map(
      (issue) => `${issue.file}:${issue.line}:${issue.column} ${issue.path}: ${issue.message}`,
    );
  }
  throw new Error('expected the topology to be refused');
}

const valid = `namespace: shop
clusters:
  central: { region: r1, zone: z1, nodes: 2 }
network: { interRegionLatencyMs: 10 }
ingress: { namespace: gw, service: ingress, gateway: shop-gateway }
services:
  frontend:
    replicas: { central: 1 }
    serviceTime: { fixed: { ms: 1 } }
    capacity: { concurrency: 4, queue: 8 }
    routes:
      - prefix: /
        calls: [{ service: backend, path: /x }]
  backend:
    replicas: { central: 1 }
    serviceTime: { lognormal: { medianMs: 2, p99Ms: 9 } }
    capacity: { concurrency: 4, queue: 8 }
`;

describe('lab topology files', () => {
  it('reads the shipped Bank of Anthos topology as the reference setup describes it', () => {
    const topology = readTopology(defaultTopologyPath());
    expect(topology.namespace).to.equal('bank-of-anthos');
    expect(topology.clusters.map((c) => c.name)).to.deep.equal(['central', 'west']);
    expect(topology.ingress).to.deep.equal({
      namespace: 'asm-gateways',
      service: 'istio-ingressgateway',
      gateway: 'frontend-gateway',
    });
    const byName = new Map(topology.services.map((s) => [s.name, s]));
    for (const db of ['ledger-db', 'accounts-db']) {
      expect(byName.get(db)?.workload).to.equal('StatefulSet');
      expect(byName.get(db)?.replicas).to.deep.equal({ west: 1 });
    }
    for (const app of ['frontend', 'userservice', 'contacts', 'balancereader', 'transactionhistory', 'ledgerwriter']) {
      expect(Object.keys(byName.get(app)?.replicas ?? {}), app).to.deep.equal(['central', 'west']);
    }
    const home = byName.get('frontend')?.behaviour.routes.find((r) => r.prefix === '/home');
    expect(home?.calls.map((c) => c.service)).to.deep.equal(['balancereader', 'transactionhistory', 'contacts']);
    expect(topology.virtualServices.map((vs) => vs.name)).to.deep.equal(['frontend-ingress']);
    expect(topology.virtualServices[0]?.spec.gateways).to.deep.equal(['frontend-gateway']);
  });

  it('accepts a small valid topology', () => {
    const topology = parseTopology('ok.yaml', valid);
    expect(topology.services.map((s) => s.name)).to.deep.equal(['frontend', 'backend']);
    expect(topology.services[1]?.behaviour.serviceTime).to.deep.equal({ kind: 'lognormal', medianMs: 2, p99Ms: 9 });
  });

  it('names file, line, column and field for each schema problem', () => {
    const found = problems(
      valid
        .replace('concurrency: 4, queue: 8 }\n    routes', 'concurrency: 0, queue: 8 }\n    routes')
        .replace('nodes: 2', 'nodes: two'),
    );
    expect(found).to.have.length(2);
    expect(found.some((p) => p.startsWith('broken.yaml:3:') && p.includes('clusters.central.nodes'))).to.equal(true);
    expect(found.some((p) => /^broken\.yaml:10:\d+ services\.frontend\.capacity\.concurrency: /.test(p))).to.equal(
      true,
    );
  });

  it('refuses calls to unknown services and replicas in unknown clusters, all at once', () => {
    const found = problems(
      valid
        .replace('service: backend', 'service: backnd')
        .replace(
          'replicas: { central: 1 }\n    serviceTime: { lognormal',
          'replicas: { east: 1 }\n    serviceTime: { lognormal',
        ),
    );
    expect(found).to.have.length(2);
    expect(found.find((p) => p.includes('services.frontend.routes[0].calls[0].service'))).to.contain(
      'unknown service "backnd"',
    );
    expect(found.find((p) => p.includes('services.backend.replicas.east'))).to.contain(
      'unknown cluster "east"; clusters are: central',
    );
  });

  it('refuses a route with both exact and prefix, and unknown fields', () => {
    const found = problems(
      valid
        .replace('- prefix: /\n', '- prefix: /\n        exact: /x\n')
        .replace('network: { interRegionLatencyMs: 10 }', 'network: { interRegionLatencyMs: 10, jitter: 1 }'),
    );
    expect(found.some((p) => p.includes('exactly one of "exact" or "prefix"'))).to.equal(true);
    expect(found.some((p) => p.includes('network') && p.includes('jitter'))).to.equal(true);
  });
});
