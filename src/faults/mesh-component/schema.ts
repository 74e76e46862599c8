/**
 * The mesh's own components as faults: `control-plane` (istiod) and `east-west-gateway` in one
 * cluster, in a scenario file and normalized. Both name a Deployment in Istio's namespace, which
 * defaults to what istioctl installs.
 */
import { z } from 'zod';
import { k8sName } from '../../input/schema-parts.js';
import { faultCommon, type FaultBase, type NormalizeContext } from '../fault-schema.js';

const { cluster, id } = faultCommon;

const istioNamespace = k8sName
  .default('istio-system')
  .meta({ description: "Istio's namespace in the cluster (where istiod and the east-west gateway run)" });

export const controlPlaneFault = z
  .strictObject({
    type: z.literal('control-plane'),
    cluster,
    id,
    istioNamespace,
    deployment: k8sName.default('istiod').meta({
      description: "istiod's Deployment; a revisioned control plane is istiod-<revision>",
    }),
  })
  .meta({
    description:
      "istiod goes away in the cluster (its Deployment scaled to zero): that cluster's proxies keep their last endpoints and routes until it returns.",
  });

export const eastWestGatewayFault = z
  .strictObject({
    type: z.literal('east-west-gateway'),
    cluster,
    id,
    istioNamespace,
    deployment: k8sName.default('istio-eastwestgateway').meta({
      description: "The east-west gateway's Deployment (samples/multicluster/gen-eastwest-gateway.sh names it so)",
    }),
  })
  .meta({
    description:
      "The cluster's east-west gateway goes away (its Deployment scaled to zero, its LoadBalancer address kept): calls from other clusters into it fail.",
  });

/** Which component, its Deployment and the Service callers reach it by (the same name, as Istio's charts make it). */
export interface MeshComponentFault extends FaultBase {
  type: 'control-plane' | 'east-west-gateway';
  istioNamespace: string;
  deployment: string;
}

export interface ControlPlaneFault extends MeshComponentFault {
  type: 'control-plane';
}

export interface EastWestGatewayFault extends MeshComponentFault {
  type: 'east-west-gateway';
}

export function normalizeControlPlane(
  raw: z.output<typeof controlPlaneFault>,
  { base }: NormalizeContext,
): ControlPlaneFault {
  return { type: 'control-plane', ...base, istioNamespace: raw.istioNamespace, deployment: raw.deployment };
}

export function normalizeEastWestGateway(
  raw: z.output<typeof eastWestGatewayFault>,
  { base }: NormalizeContext,
): EastWestGatewayFault {
  return { type: 'east-west-gateway', ...base, istioNamespace: raw.istioNamespace, deployment: raw.deployment };
}
