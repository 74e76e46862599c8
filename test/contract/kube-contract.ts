/**
 * The contract suite: every Kubernetes API call the harness (and the lab's clients) make, as one
 * set of cases that runs unchanged against each server registered with `describeKubeContract`.
 * A case that passes on the real kube-apiserver and fails on the lab is a lab bug, and vice versa.
 */
import { evictionCases } from './cases/eviction-cases.js';
import { httpCases } from './cases/http-cases.js';
import { istioCases } from './cases/istio-cases.js';
import { leaseCases } from './cases/lease-cases.js';
import { nodeCases } from './cases/node-cases.js';
import { scaleCases } from './cases/scale-cases.js';
import { watchCases } from './cases/watch-cases.js';
import { rawRequest } from '../support/real-http.js';
import {
  contractNamespace,
  createContractContext,
  type ContractContext,
  type ContractServer,
  type ContractServerFactory,
} from './contract-context.js';

export type { ContractServerFactory } from './contract-context.js';

export interface ContractOptions {
  /** Start-up may build clusters and install CRDs; allow for slow shared machines. */
  startTimeoutMs?: number;
}

export function describeKubeContract(
  serverLabel: string,
  startServer: ContractServerFactory,
  options: ContractOptions = {},
): void {
  describe(`Kubernetes API contract against ${serverLabel}`, function () {
    this.timeout(30_000);
    let server: ContractServer | undefined;
    let context: ContractContext | undefined;

    before(async function () {
      this.timeout(options.startTimeoutMs ?? 300_000);
      server = await startServer();
      context = createContractContext(server.kubeconfigYaml, server.traits);
      const created = await rawRequest(context.endpoint, {
        method: 'POST',
        path: '/api/v1/namespaces',
        body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: contractNamespace } },
      });
      if (created.status !== 201 && created.status !== 409) {
        throw new Error(
          `creating namespace ${contractNamespace} failed: HTTP ${created.status} ${created.text.slice(0, 300)}`,
        );
      }
    });

    after(async function () {
      this.timeout(60_000);
      await server?.stop();
    });

    const current = (): ContractContext => {
      if (!context) throw new Error(`the ${serverLabel} server did not start (see the before hook)`);
      return context;
    };

    scaleCases(current);
    evictionCases(current);
    nodeCases(current);
    istioCases(current);
    watchCases(current);
    leaseCases(current);
    httpCases(current);
  });
}
