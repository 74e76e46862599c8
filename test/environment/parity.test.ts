/**
 * Parity preflight: the targeted services' images, replicas and readiness compared across
 * clusters — pure rules, then read from the embedded lab's API with frontend's image changed
 * in west.
 */
import { expect } from 'chai';
import { compareParity, readParity, renderParity, type WorkloadFacts } from '../../src/environment/parity.js';
import { connectEnvironment } from '../../src/environment/connect.js';
import { labEnvironment } from '../../src/environment/lab-environment.js';
import { targetedServices } from '../../src/scenario/targeted-services.js';
import {
  reachable,
  routedServices,
  serviceOfHost,
  servicesOfVirtualServices,
} from '../../src/environment/routed-services.js';
import { checkParity, renderParityCheck } from '../../src/play/plan-parity.js';
import type { VirtualService } from '../../src/kube/types.js';
import { validateScenario } from '../../src/scenario/validate-scenario.js';
import { parseYamlSource } from '../../src/input/yaml-source.js';
import type { RunningLab } from '../../src/lab/index.js';
import { clientsFor, merge, startTestLab, waitFor } from '../lab/lab-test-kit.js';

const facts = (cluster: string, image: string, replicas = 2, ready = replicas): WorkloadFacts => ({
  cluster,
  kind: 'Deployment',
  images: [image],
  replicas,
  ready,
});

describe('parity preflight', function () {
  this.timeout(60_000);

  it('names differing images, replica counts and unready copies; a service in one cluster only is a note', () => {
    const report = compareParity(
      {
        frontend: [facts('central', 'frontend:v1'), facts('west', 'frontend:v2')],
        userservice: [facts('central', 'user:v1', 1), facts('west', 'user:v1', 2, 1)],
        contacts: [facts('central', 'contacts:v1'), facts('west', 'contacts:v1')],
        'ledger-db': [facts('west', 'postgres:16', 1)],
      },
      ['central', 'west'],
    );
    expect(report.differences).to.deep.equal([
      'frontend: images differ (central frontend:v1, west frontend:v2)',
      'userservice: replicas differ (central 1, west 2)',
      'userservice: 1 of 2 ready in west',
    ]);
    expect(renderParity(report)).to.deep.equal([
      'parity frontend: images differ (central frontend:v1, west frontend:v2)',
      'parity userservice: replicas differ (central 1, west 2); 1 of 2 ready in west',
      'parity contacts: same in central, west',
      'parity ledger-db: same in west (not deployed in central)',
    ]);
  });

  it("targets the services a scenario's faults name", () => {
    const scenario = validateScenario(
      parseYamlSource(
        's.yaml',
        [
          'name: s',
          'description: d',
          'load: { rate: 1 }',
          'steps:',
          '  - name: one',
          '    duration: 1s',
          '    faults:',
          '      - { type: scale, cluster: central, name: frontend, replicas: 0 }',
          '      - { type: istio-delay, cluster: all, host: balancereader, delay: 10ms }',
          '      - { type: pod-kill, cluster: west, selector: app=contacts, count: 1 }',
          'budgets: { all: { http_req_failed: rate<0.5 } }',
        ].join('\n'),
      ),
    );
    expect(targetedServices(scenario)).to.deep.equal(['balancereader', 'contacts', 'frontend']);
  });

  const vs = (name: string, spec: VirtualService['spec']): VirtualService => ({
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name },
    spec,
  });

  it('routes through the destinations of gateway-bound VirtualServices for the load host, and what mesh ones name', () => {
    const to = (...hosts: string[]) => [{ route: hosts.map((host) => ({ destination: { host } })) }];
    const list = [
      vs('ingress', {
        hosts: ['*.bank.example'],
        gateways: ['asm-gateways/gw'],
        http: to('frontend.boa.svc.cluster.local'),
      }),
      vs('other-site', { hosts: ['shop.example'], gateways: ['asm-gateways/gw'], http: to('shop') }),
      vs('canary', { hosts: ['balancereader'], http: to('balancereader', 'balancereader-v2.boa') }),
      vs('elsewhere', { hosts: ['x.other-ns.svc.cluster.local'], gateways: ['mesh'], http: to('x.other-ns') }),
    ];
    expect(servicesOfVirtualServices(list, 'boa', 'www.bank.example:443')).to.deep.equal([
      'balancereader',
      'balancereader-v2',
      'frontend',
    ]);
    expect(servicesOfVirtualServices(list, 'boa', undefined)).to.deep.equal([
      'balancereader',
      'balancereader-v2',
      'frontend',
      'shop',
    ]);
    expect([
      serviceOfHost('a.boa.svc', 'boa'),
      serviceOfHost('a.boa.example.com', 'boa'),
      serviceOfHost('*', 'boa'),
    ]).to.deep.equal(['a', undefined, undefined]);
    const calls = new Map([
      ['frontend', ['userservice', 'contacts']],
      ['contacts', ['accounts-db']],
      ['userservice', ['accounts-db']],
      ['ledgerwriter', ['ledger-db']],
    ]);
    expect(reachable(['frontend'], calls)).to.deep.equal(['accounts-db', 'contacts', 'frontend', 'userservice']);
  });

  describe('on the embedded lab', () => {
    let lab: RunningLab;
    before(async () => {
      ({ lab } = await startTestLab());
    });
    after(async () => {
      await lab?.stop();
    });

    /** Sets the image of `name`'s first container in west; returns that container as it was. */
    async function setWestImage(name: string, image: string) {
      const west = clientsFor(lab, 'west');
      const deployment = await west.apps.readNamespacedDeployment({ name, namespace: 'bank-of-anthos' });
      const container = deployment.spec!.template.spec!.containers[0]!;
      await west.apps.patchNamespacedDeployment(
        {
          name,
          namespace: 'bank-of-anthos',
          body: { spec: { template: { spec: { containers: [{ name: container.name, image }] } } } },
        },
        merge,
      );
      return container;
    }

    it("reports frontend's image in west when it differs from central's", async () => {
      const environment = labEnvironment();
      const apis = connectEnvironment(environment, { kubeconfigYaml: lab.kubeconfig() });
      await waitFor('frontend ready in both clusters', async () => {
        const report = await readParity(environment, apis, ['frontend']);
        return report.differences.length === 0 && report.services[0]?.found.length === 2 ? true : undefined;
      });
      const container = await setWestImage('frontend', 'frontend:canary');
      const report = await readParity(environment, apis, ['frontend']);
      expect(report.differences[0]).to.equal(
        `frontend: images differ (central ${container.image}, west frontend:canary)`,
      );
    });

    it('compares the services the load routes through: contacts, which no fault names, differs in west', async () => {
      const environment = labEnvironment();
      const apis = connectEnvironment(environment, { kubeconfigYaml: lab.kubeconfig() });
      // frontend from the gateway-bound VirtualService, the rest from the topology's call graph.
      expect(await routedServices(environment, apis, environment.host)).to.deep.equal([
        'accounts-db',
        'balancereader',
        'contacts',
        'frontend',
        'ledger-db',
        'ledgerwriter',
        'transactionhistory',
        'userservice',
      ]);
      const container = await setWestImage('contacts', 'contacts:canary');
      const scenario = validateScenario(
        parseYamlSource(
          's.yaml',
          [
            'name: s',
            'description: d',
            'load: { rate: 1 }',
            'steps:',
            '  - name: one',
            '    duration: 1s',
            '    faults: [{ type: istio-delay, cluster: all, host: balancereader, delay: 10ms }]',
            'budgets: { all: { http_req_failed: rate<0.5 } }',
          ].join('\n'),
        ),
      );
      const check = await checkParity(scenario, environment, apis);
      expect([check.targeted, check.routedThrough.includes('contacts')]).to.deep.equal([['balancereader'], true]);
      expect(check.report.differences).to.include(
        `contacts: images differ (central ${container.image}, west contacts:canary)`,
      );
      const lines = renderParityCheck(check);
      expect(lines[0]).to.match(
        /^parity over the services targeted \(balancereader\) and routed through \(accounts-db, /,
      );
      expect(lines).to.include('parity ledger-db: same in west (not deployed in central)');
    });
  });
});
