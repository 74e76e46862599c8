/**
 * The lab proves the real path: the EnvoyFilter it applies is the one shipped for real meshes,
 * and the lab's gateways act on exactly that (the header Envoy would add, with the upstream Pod address).
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { readTopology } from '../../src/lab/topology/read-topology.js';
import { gatewayHeadersOf } from '../../src/lab/mesh/control-plane.js';
import { upstreamHostHeader } from '../../src/environment/lab-environment.js';

describe('served-by mechanism: deploy/served-by-envoyfilter.yaml', () => {
  const shipped = parse(readFileSync('deploy/served-by-envoyfilter.yaml', 'utf8')) as {
    kind: string;
    metadata: { name: string };
    spec: Record<string, unknown>;
  };

  it('is the EnvoyFilter the lab applies, unchanged', () => {
    expect(shipped.kind).to.equal('EnvoyFilter');
    const lab = readTopology().envoyFilters.find((filter) => filter.name === shipped.metadata.name);
    expect(lab?.spec).to.deep.equal(shipped.spec);
  });

  it('adds the upstream address header the lab environment reads, at the ingress gateway only', () => {
    const object = {
      apiVersion: 'networking.istio.io/v1alpha3',
      kind: 'EnvoyFilter',
      metadata: { name: 'x' },
      spec: shipped.spec,
    };
    expect(gatewayHeadersOf(object as never)).to.deep.equal([
      { name: upstreamHostHeader, value: '%UPSTREAM_REMOTE_ADDRESS%' },
    ]);
    const sidecars = { ...object, spec: { ...shipped.spec, workloadSelector: { labels: { app: 'frontend' } } } };
    expect(gatewayHeadersOf(sidecars as never)).to.deep.equal([]);
  });
});
