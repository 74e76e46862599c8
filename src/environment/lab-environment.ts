/**
 * The built-in `lab` environment: the embedded two-cluster mesh on loopback (src/lab/).
 * Its kubeconfig is written by the lab when it starts; its ingresses are fixed loopback
 * addresses, so `chaos plan` can name them without starting anything.
 */
import { defaultProtectedPods, type Environment } from './types.js';

/** The header deploy/served-by-envoyfilter.yaml adds at the gateway. */
export const upstreamHostHeader = 'x-chaos-upstream-host';
const labKubeconfigPath = '.chaos/lab/kubeconfig';
const labIngressPort = 8080;
/** The lab's default config propagation delay (src/lab: ControlPlane). */
const labPropagationDelayMs = 500;
const labIngressHosts: Record<string, string> = { central: '127.0.0.11', west: '127.0.0.12' };

export function labEnvironment(): Environment {
  const clusters = Object.entries(labIngressHosts).map(([name, host]) => ({
    name,
    context: `lab-${name}`,
    kubeconfig: labKubeconfigPath,
    region: name === 'central' ? 'lab-central1' : 'lab-west2',
    ingress: { kind: 'url' as const, url: `http://${host}:${labIngressPort}` },
  }));
  return {
    file: 'built-in',
    name: 'lab',
    description: 'The embedded two-cluster lab on loopback (started by chaos run, or kept running by chaos lab up)',
    namespace: 'bank-of-anthos',
    host: 'frontend.lab.local',
    // The lab's gateways apply deploy/served-by-envoyfilter.yaml, as a real mesh would.
    servedBy: { kind: 'upstream-address', header: upstreamHostHeader },
    clusters,
    allowContexts: clusters.map((cluster) => cluster.context),
    builtIn: true,
    // The lab's control plane writes the VirtualService status after its propagation delay
    // (500 ms by default); a deletion has no status, so it waits that long.
    istioConvergence: { kind: 'status', settleMs: labPropagationDelayMs },
    protectedPods: defaultProtectedPods,
  };
}
