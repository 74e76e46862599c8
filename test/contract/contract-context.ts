/**
 * What every contract case gets: typed client-node APIs for one server, a raw HTTPS endpoint for
 * exact status codes and bodies, a namespace of its own, and helpers to read `Status` errors.
 * The same cases run against every registered server (real kube-apiserver, the lab), so a
 * difference between them fails a test.
 */
import {
  ApiException,
  AppsV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  KubeConfig,
  PolicyV1Api,
} from '@kubernetes/client-node';
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import type { ApiEndpoint } from '../support/real-http.js';

/** One server under contract: how to reach it and how to shut it down. */
/**
 * Where two servers may rightly answer differently, each says which it is, and the case asserts
 * that server's outcome: a branch on what the server answered could pass either way.
 */
export interface ServerTraits {
  /** A disruption controller computes PodDisruptionBudget status (the lab; not a bare apiserver). */
  disruptionController: boolean;
  /** autoscaling/v2 is served (a real apiserver; the lab has no HorizontalPodAutoscalers). */
  autoscalingV2: boolean;
}

export interface ContractServer {
  kubeconfigYaml: string;
  traits: ServerTraits;
  stop(): Promise<void>;
}

export type ContractServerFactory = () => Promise<ContractServer>;

export interface ContractContext {
  kubeConfig: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  policy: PolicyV1Api;
  coordination: CoordinationV1Api;
  discovery: DiscoveryV1Api;
  custom: CustomObjectsApi;
  endpoint: ApiEndpoint;
  /** Created for the suite; cases add objects with unique names. */
  namespace: string;
  traits: ServerTraits;
}

/** The parts of a `Status` body the cases look at. */
export interface StatusBody {
  kind?: string;
  apiVersion?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  /** On the wire a cause's type is the `reason` field (Go: StatusCause.Type `json:"reason"`). */
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    retryAfterSeconds?: number;
    causes?: { reason?: string; message?: string; field?: string }[];
  };
}

export const contractNamespace = 'chaos-contract';

export function createContractContext(kubeconfigYaml: string, traits: ServerTraits): ContractContext {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(kubeconfigYaml);
  const cluster = kubeConfig.getCurrentCluster();
  const user = kubeConfig.getCurrentUser();
  if (!cluster) throw new Error('the contract kubeconfig has no current cluster');
  if (!cluster.caData)
    throw new Error('the contract kubeconfig must carry certificate-authority-data (no skipTLSVerify)');
  if (!user?.token) throw new Error('the contract kubeconfig must carry a bearer token');
  return {
    kubeConfig,
    core: kubeConfig.makeApiClient(CoreV1Api),
    apps: kubeConfig.makeApiClient(AppsV1Api),
    policy: kubeConfig.makeApiClient(PolicyV1Api),
    coordination: kubeConfig.makeApiClient(CoordinationV1Api),
    discovery: kubeConfig.makeApiClient(DiscoveryV1Api),
    custom: kubeConfig.makeApiClient(CustomObjectsApi),
    endpoint: {
      server: cluster.server,
      token: user.token,
      caPem: Buffer.from(cluster.caData, 'base64').toString('utf8'),
    },
    namespace: contractNamespace,
    traits,
  };
}

/** A short unique DNS-1123 name, so cases never collide on a shared server. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

/** Awaits a call that must fail with `code`, and returns the parsed `Status` body. */
export async function expectApiError(call: Promise<unknown>, code: number): Promise<StatusBody> {
  let caught: unknown;
  try {
    await call;
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected the call to fail with HTTP ${code}`).to.be.instanceOf(ApiException);
  const error = caught as ApiException<unknown>;
  expect(error.code, `HTTP status; body: ${String(error.body)}`).to.equal(code);
  return parseStatus(typeof error.body === 'string' ? error.body : JSON.stringify(error.body));
}

export function parseStatus(text: string): StatusBody {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`expected a JSON Status body, got: ${text.slice(0, 300)}`);
  }
  return parsed as StatusBody;
}

/** Checks the shape every Kubernetes error body shares. */
export function expectFailureStatus(status: StatusBody, code: number, reason: string): void {
  expect(status.kind).to.equal('Status');
  expect(status.apiVersion).to.equal('v1');
  expect(status.status).to.equal('Failure');
  expect(status.code).to.equal(code);
  expect(status.reason).to.equal(reason);
  expect(status.message).to.be.a('string').and.not.equal('');
}

/** A container spec that any server accepts; nothing ever runs it. */
export const placeholderContainer = { name: 'app', image: 'registry.example/contract/app:1.0.0' };
