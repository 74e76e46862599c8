/**
 * Who served a request on a real mesh: the gateway's upstream address (EnvoyFilter) mapped to a
 * cluster through each cluster's EndpointSlices — including Pods that appear after the start.
 */
import { expect } from 'chai';
import type { V1EndpointSlice } from '@kubernetes/client-node';
import { servedByResolver } from '../../src/environment/served-by.js';
import type { ClusterApi, ClusterApis } from '../../src/kube/cluster-api.js';
import type { Environment } from '../../src/environment/types.js';

const slice = (addresses: string[], port = 8080): V1EndpointSlice =>
  ({
    addressType: 'IPv4',
    endpoints: addresses.map((address) => ({ addresses: [address] })),
    ports: [{ port }],
  }) as V1EndpointSlice;

describe('served by: upstream address → cluster by EndpointSlices', () => {
  const environment: Environment = {
    file: 'env.yaml',
    name: 'two',
    namespace: 'bank-of-anthos',
    clusters: ['central', 'west'].map((name) => ({
      name,
      context: name,
      ingress: { kind: 'url', url: 'http://127.0.0.1:1' },
    })),
    allowContexts: [],
    builtIn: false,
  };

  it('names the cluster whose Pod had the address; a new Pod is found on a later listing; other values pass through', async () => {
    const slices: Record<string, V1EndpointSlice[]> = {
      central: [slice(['10.8.0.5', '10.8.0.6'])],
      west: [slice(['10.9.0.7'])],
    };
    const listed: string[] = [];
    const apis: ClusterApis = new Map(
      ['central', 'west'].map((name) => [
        name,
        {
          listEndpointSlices: async (namespace: string) => {
            listed.push(`${name}/${namespace}`);
            return slices[name]!;
          },
        } as unknown as ClusterApi,
      ]),
    );
    let clock = 0;
    const resolver = servedByResolver(environment, apis, { refreshMs: 1000, now: () => clock });
    await resolver.refresh();
    expect(listed).to.deep.equal(['central/bank-of-anthos', 'west/bank-of-anthos']);
    expect(resolver.map('addr:10.8.0.5:8080')).to.equal('central');
    expect(resolver.map('addr:10.9.0.7:8080')).to.equal('west');
    expect(resolver.map('west'), 'a cluster name from a header stays').to.equal('west');
    expect(resolver.map('not measured')).to.equal('not measured');
    // A Pod created after the listing (west scaled up): unknown until the next listing.
    slices.west = [slice(['10.9.0.7', '10.9.0.8'])];
    clock = 1500;
    expect(resolver.map('addr:10.9.0.8:8080')).to.equal('unknown');
    await resolver.refresh();
    expect(resolver.map('addr:10.9.0.8:8080')).to.equal('west');
  });

  it("maps a multi-network mesh's east-west gateway address to the cluster behind it", async () => {
    // central's ingress reaches west's Pods through west's east-west gateway (AUTO_PASSTHROUGH on
    // 15443): Envoy's upstream address is that gateway's LoadBalancer address, not a Pod's.
    const eastWest = (ip: string) => ({
      metadata: { name: 'istio-eastwestgateway', namespace: 'istio-system', labels: { istio: 'eastwestgateway' } },
      spec: { ports: [{ name: 'tls', port: 15443 }] },
      status: { loadBalancer: { ingress: [{ ip }] } },
    });
    const selectors: string[] = [];
    const apis: ClusterApis = new Map(
      (['central', 'west'] as const).map((name) => [
        name,
        {
          listEndpointSlices: async () => [slice([name === 'central' ? '10.8.0.5' : '10.9.0.7'])],
          listServicesEverywhere: async (selector: string) => {
            selectors.push(selector);
            return [eastWest(name === 'central' ? '192.0.2.10' : '192.0.2.20')];
          },
        } as unknown as ClusterApi,
      ]),
    );
    const resolver = servedByResolver(environment, apis);
    await resolver.refresh();
    expect(selectors).to.deep.equal(['istio=eastwestgateway', 'istio=eastwestgateway']);
    expect(resolver.map('addr:192.0.2.20:15443')).to.equal('west');
    expect(resolver.map('addr:192.0.2.10:15443')).to.equal('central');
    expect(resolver.map('addr:10.8.0.5:8080'), 'local Pods still by EndpointSlices').to.equal('central');
  });
});
