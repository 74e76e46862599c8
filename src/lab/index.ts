/**
 * The embedded lab: two clusters (central, west) with Kubernetes APIs, controllers and an
 * Istio-like mesh on loopback. See DESIGN.md "The lab" and src/lab/README.md.
 */
export { startLab } from './lab.js';
export type { LabOptions, RunningLab } from './types.js';
export {
  writeLabState,
  readLabState,
  removeLabState,
  processIsAlive,
  labStateDirEnv,
  resolveLabStateDir,
  type LabState,
  type LabStateReading,
} from './state-file.js';
export { findRunningLab, chooseLabStateDir, LabStateError } from './find-running-lab.js';
export { readTopology, parseTopology, defaultTopologyPath } from './topology/read-topology.js';
export { parseIngressPlacement, ingressPlacementFromEnv, ingressAddressEnv, ingressPortEnv } from './addresses.js';
