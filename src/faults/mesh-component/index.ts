/** The `mesh-component` kind: istiod (`control-plane`) or the east-west gateway of one cluster goes away. */
import { faultType, type FaultKind } from '../fault-kind.js';
import { controlPlane, eastWestGateway } from './mesh-component.js';
import { controlPlaneFault, eastWestGatewayFault, normalizeControlPlane, normalizeEastWestGateway } from './schema.js';

export const meshComponentKind = {
  types: [
    faultType(controlPlaneFault, normalizeControlPlane, controlPlane),
    faultType(eastWestGatewayFault, normalizeEastWestGateway, eastWestGateway),
  ],
  // Its records are scales (the scale kind undoes them and finds them on the cluster).
  handlers: [],
  scans: [],
} as const satisfies FaultKind;
