/** The pure VirtualService logic: which VirtualService, which routes to copy, exact patches. */
import { expect } from 'chai';
import jsonPatch from 'fast-json-patch';
import type { VirtualService } from '../../src/kube/types.js';
import { placeFault, qualifyHost } from '../../src/faults/istio/virtual-service-routes.js';
import {
  buildCopies,
  digestWithout,
  copyCountOf,
  insertionPatch,
  removalPatch,
  routeNames,
} from '../../src/faults/istio/virtual-service-patches.js';

function vs(
  name: string,
  namespace: string,
  spec: VirtualService['spec'],
  annotations?: Record<string, string>,
): VirtualService {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name, namespace, resourceVersion: '7', ...(annotations ? { annotations } : {}) },
    spec,
  };
}

const gatewayVs = vs('shop', 'gw', {
  hosts: ['shop.example.com'],
  gateways: ['gw/public'],
  http: [
    {
      name: 'api',
      match: [{ uri: { prefix: '/api' } }],
      route: [{ destination: { host: 'api.bank.svc.cluster.local' } }],
    },
    { name: 'web', route: [{ destination: { host: 'frontend.bank.svc.cluster.local' } }] },
    { name: 'static', route: [{ destination: { host: 'cdn' } }] },
  ],
});
const meshVs = vs('balancereader', 'bank', {
  hosts: ['balancereader'],
  http: [{ route: [{ destination: { host: 'balancereader', subset: 'v1' } }] }],
});

describe('VirtualService routes for istio faults', () => {
  it('qualifies host names the way Istio resolves them', () => {
    expect(qualifyHost('frontend', 'bank')).to.equal('frontend.bank.svc.cluster.local');
    expect(qualifyHost('frontend.bank', 'other')).to.equal('frontend.bank.svc.cluster.local');
    expect(qualifyHost('frontend.bank.svc', 'other')).to.equal('frontend.bank.svc.cluster.local');
    expect(qualifyHost('shop.example.com', 'bank')).to.equal('shop.example.com');
  });

  it('ingress: picks gateway-bound VirtualServices routing to the host (any namespace), copying routes up to the last one to it', () => {
    const plans = placeFault([gatewayVs, meshVs], { host: 'frontend', namespace: 'bank', via: 'ingress' }).plans;
    expect(plans.map((p) => [p.virtualService.metadata.name, p.copyCount, p.faulted])).to.deep.equal([
      ['shop', 2, [1]],
    ]);
  });

  it('mesh: picks the mesh VirtualService of the host and faults every route; gateway-only ones are not the mesh', () => {
    expect(
      placeFault([gatewayVs, meshVs], { host: 'balancereader', namespace: 'bank', via: 'mesh' }).plans.map((p) => [
        p.virtualService.metadata.name,
        p.faulted,
      ]),
    ).to.deep.equal([['balancereader', [0]]]);
    expect(placeFault([gatewayVs], { host: 'frontend', namespace: 'bank', via: 'mesh' }).plans).to.deep.equal([]);
  });

  it('copies keep every field and destination; only the routes to the host get the fault, merged with their own', () => {
    const [plan] = placeFault([gatewayVs], { host: 'frontend', namespace: 'bank', via: 'ingress' }).plans;
    const copies = buildCopies(plan!, routeNames('chaos-r1-f', plan!.copyCount), {
      delay: { fixedDelay: '100ms', percentage: { value: 50 } },
    });
    expect(copies).to.deep.equal([
      {
        name: 'chaos-r1-f',
        match: [{ uri: { prefix: '/api' } }],
        route: [{ destination: { host: 'api.bank.svc.cluster.local' } }],
      },
      {
        name: 'chaos-r1-f-2',
        route: [{ destination: { host: 'frontend.bank.svc.cluster.local' } }],
        fault: { delay: { fixedDelay: '100ms', percentage: { value: 50 } } },
      },
    ]);
  });

  it('insert then remove is the identity on spec, whatever else was there', () => {
    const [plan] = placeFault([gatewayVs], { host: 'frontend', namespace: 'bank', via: 'ingress' }).plans;
    const names = routeNames('chaos-r1-f', plan!.copyCount);
    const inserted = jsonPatch.applyPatch(
      structuredClone(gatewayVs),
      insertionPatch(gatewayVs, buildCopies(plan!, names, { abort: { httpStatus: 503, percentage: { value: 5 } } }), {
        'chaos.dev/run': 'r1',
        'chaos.dev/routes': JSON.stringify(names),
      }) as jsonPatch.Operation[],
    ).newDocument;
    expect(inserted.spec.http?.map((route) => route.name)).to.deep.equal([
      'chaos-r1-f',
      'chaos-r1-f-2',
      'api',
      'web',
      'static',
    ]);
    expect(digestWithout(inserted, names)).to.equal(digestWithout(gatewayVs, []));
    const removed = jsonPatch.applyPatch(
      structuredClone(inserted),
      removalPatch(inserted, names) as jsonPatch.Operation[],
    ).newDocument;
    expect(removed).to.deep.equal(gatewayVs);
  });

  it('removal keeps annotations that are not ours and routes of another fault of the run', () => {
    const annotated = vs(
      'x',
      'bank',
      { hosts: ['x'], http: [{ name: 'chaos-r1-a' }, { name: 'chaos-r1-b' }, { name: 'theirs' }] },
      { team: 'a', 'chaos.dev/run': 'r1', 'chaos.dev/routes': '["chaos-r1-a","chaos-r1-b"]' },
    );
    expect(removalPatch(annotated, ['chaos-r1-a'])).to.deep.equal([
      { op: 'test', path: '/metadata/resourceVersion', value: '7' },
      { op: 'remove', path: '/spec/http/0' },
      { op: 'replace', path: '/metadata/annotations/chaos.dev~1routes', value: '["chaos-r1-b"]' },
    ]);
  });

  it('mesh: a VirtualService of another namespace exported to the fault’s namespace takes the fault; one exported elsewhere blocks it', () => {
    const shared = vs('balancereader', 'platform', {
      hosts: ['balancereader.bank.svc.cluster.local'],
      exportTo: ['bank'],
      http: [{ route: [{ destination: { host: 'balancereader.bank.svc.cluster.local' } }] }],
    });
    const placed = placeFault([shared], { host: 'balancereader', namespace: 'bank', via: 'mesh' });
    expect(placed.plans.map((plan) => plan.virtualService.metadata.name)).to.deep.equal(['balancereader']);
    const hidden = vs('balancereader', 'platform', { ...shared.spec, exportTo: ['.'] });
    const blocked = placeFault([hidden], { host: 'balancereader', namespace: 'bank', via: 'mesh' });
    expect(blocked.plans).to.deep.equal([]);
    expect(blocked.blockers.map((b) => b.virtualService)).to.deep.equal(['platform/balancereader']);
    expect(blocked.blockers[0]!.reason).to.include('is not exported to bank');
  });

  it('delegation: the fault goes into the delegate VirtualService, where the routes are', () => {
    const root = vs('shop', 'gw', {
      hosts: ['shop.example.com'],
      gateways: ['gw/public'],
      http: [{ match: [{ uri: { prefix: '/' } }], delegate: { name: 'shop-routes', namespace: 'bank' } }],
    });
    const delegate = vs('shop-routes', 'bank', {
      http: [
        { name: 'api', match: [{ uri: { prefix: '/api' } }], route: [{ destination: { host: 'api' } }] },
        { name: 'web', route: [{ destination: { host: 'frontend' } }] },
      ],
    });
    const placed = placeFault([root, delegate], { host: 'frontend', namespace: 'bank', via: 'ingress' });
    expect(placed.blockers).to.deep.equal([]);
    expect(
      placed.plans.map((plan) => [plan.virtualService.metadata.name, plan.copyCount, plan.faulted, plan.delegateOf]),
    ).to.deep.equal([['shop-routes', 2, [1], 'gw/shop']]);
  });

  it('scope: copies of a VirtualService bound to a gateway and mesh are limited to the fault’s side', () => {
    const both = vs('userservice', 'bank', {
      hosts: ['userservice'],
      gateways: ['public', 'mesh'],
      http: [
        {
          name: 'mesh-only',
          match: [{ gateways: ['mesh'], uri: { prefix: '/internal' } }],
          route: [{ destination: { host: 'admin' } }],
        },
        { name: 'all', route: [{ destination: { host: 'userservice' } }] },
      ],
    });
    const fault = { abort: { httpStatus: 418, percentage: { value: 100 } } };
    const [ingress] = placeFault([both], { host: 'userservice', namespace: 'bank', via: 'ingress' }).plans;
    expect(ingress!.scope).to.deep.equal(['public']);
    // The mesh-only route does not apply at the gateway: not copied.
    expect(copyCountOf(ingress!)).to.equal(1);
    const copies = buildCopies(ingress!, routeNames('chaos-r-f', copyCountOf(ingress!)), fault);
    expect(copies.map((copy) => [copy.name, copy.match])).to.deep.equal([['chaos-r-f', [{ gateways: ['public'] }]]]);
    const [mesh] = placeFault([both], { host: 'userservice', namespace: 'bank', via: 'mesh' }).plans;
    const meshCopies = buildCopies(mesh!, routeNames('chaos-r-f', copyCountOf(mesh!)), fault);
    expect(meshCopies.map((copy) => copy.match)).to.deep.equal([
      [{ gateways: ['mesh'], uri: { prefix: '/internal' } }],
      [{ gateways: ['mesh'] }],
    ]);
    // A VirtualService with one side only needs no scope.
    expect(placeFault([gatewayVs], { host: 'frontend', namespace: 'bank', via: 'ingress' }).plans[0]!.scope).to.equal(
      undefined,
    );
  });
});
