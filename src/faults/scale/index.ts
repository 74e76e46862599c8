/** The `scale` kind: a Deployment or StatefulSet to N replicas, its HPA pinned and its ScaledObject paused. */
import type { FaultKind } from '../fault-kind.js';
import type { HpaPinMutation, KedaPauseMutation, ScaleMutation } from '../mutation.js';
import type { ScaleFault } from '../../scenario/types.js';
import { hpaPinHandler, kedaPauseHandler, scaleHandler } from './handlers.js';
import { scale } from './scale.js';

export const scaleKind: FaultKind<ScaleFault, ScaleMutation | HpaPinMutation | KedaPauseMutation> = {
  faults: { scale },
  handlers: { scale: scaleHandler, 'hpa-pin': hpaPinHandler, 'keda-pause': kedaPauseHandler },
};
