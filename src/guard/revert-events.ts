/**
 * What the guard did, as a core/v1 Event on each object it reverted (`kubectl describe` shows it):
 * ChaosReverting before it undoes it, then ChaosReverted (or ChaosRevertFailed); source component
 * chaos-guard.
 */
import { randomBytes } from 'node:crypto';
import { describeMutation, type Mutation } from '../faults/mutation.js';
import type { KubeEvent } from '../kube/event-calls.js';

const guardComponent = 'chaos-guard';
export const revertingReason = 'ChaosReverting';
export const revertedReason = 'ChaosReverted';
const revertFailedReason = 'ChaosRevertFailed';

interface InvolvedObject {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** The object a mutation changed; undefined for those with no one object (evictions, Pod deletions). */
export function involvedObjectOf(mutation: Mutation): InvolvedObject | undefined {
  switch (mutation.kind) {
    case 'scale':
      return { apiVersion: 'apps/v1', kind: mutation.workload, namespace: mutation.namespace, name: mutation.name };
    case 'hpa-pin':
      return {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        namespace: mutation.namespace,
        name: mutation.name,
      };
    case 'keda-pause':
      return {
        apiVersion: 'keda.sh/v1alpha1',
        kind: 'ScaledObject',
        namespace: mutation.namespace,
        name: mutation.name,
      };
    case 'route-insert':
    case 'virtualservice-create':
      return {
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        namespace: mutation.namespace,
        name: mutation.virtualService,
      };
    case 'cordon':
      return { apiVersion: 'v1', kind: 'Node', name: mutation.node };
    case 'evict':
    case 'pod-delete':
      return undefined;
  }
}

/** The Event for one mutation's revert, and the namespace it goes in (`default` for Nodes, as kubelet does). */
export function revertEvent(
  mutation: Mutation,
  result: { stage: 'reverting' | 'reverted' | 'failed'; detail: string; why: string },
  host: string,
  nowMs: number,
): { namespace: string; event: KubeEvent } | undefined {
  const object = involvedObjectOf(mutation);
  if (!object) return undefined;
  const namespace = object.namespace ?? 'default';
  const time = new Date(nowMs);
  const verb = { reverting: 'is reverting', reverted: 'reverted and verified', failed: 'could NOT revert' }[
    result.stage
  ];
  const reason = { reverting: revertingReason, reverted: revertedReason, failed: revertFailedReason }[result.stage];
  const message = `chaos guard ${verb} ${describeMutation(mutation)} of run ${mutation.runId} (fault ${mutation.faultId}): ${result.why}.${result.detail ? ` ${result.detail}` : ''}`;
  return {
    namespace,
    event: {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${object.name}.chaos-guard.${randomBytes(5).toString('hex')}`, namespace },
      involvedObject: object,
      reason,
      message: message.slice(0, 1000),
      type: result.stage === 'failed' ? 'Warning' : 'Normal',
      source: { component: guardComponent, host },
      firstTimestamp: time,
      lastTimestamp: time,
      count: 1,
    },
  };
}
