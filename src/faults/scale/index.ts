/** The `scale` kind: a Deployment or StatefulSet to N replicas, its HPA pinned and its ScaledObject paused. */
import { faultType, type FaultKind } from '../fault-kind.js';
import { scaleScans } from './scan.js';
import { hpaPinHandler, kedaPauseHandler, scaleHandler } from './handlers.js';
import { scale } from './scale.js';
import { normalizeScale, scaleFault } from './schema.js';

export const scaleKind = {
  types: [faultType(scaleFault, normalizeScale, scale)],
  handlers: [scaleHandler, hpaPinHandler, kedaPauseHandler],
  scans: scaleScans,
} as const satisfies FaultKind;
