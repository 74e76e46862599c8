/**
 * The embedded lab: two clusters (central, west) with Kubernetes APIs, controllers and an
 * Istio-like mesh on loopback. See DESIGN.md "The lab" and src/lab/README.md.
 */
export { startLab, defaultTiming, defaultPropagationDelayMs } from './lab.js';
export type { LabOptions, LabCluster, LabEvent, LabListener, LabTiming, RunningLab } from './types.js';
export {
  writeLabState,
  readLabState,
  removeLabState,
  processIsAlive,
  labStateFile,
  defaultLabStateDir,
  labStateDirEnv,
  resolveLabStateDir,
  type LabState,
  type LabStateReading,
} from './state-file.js';
export {
  findRunningLab,
  chooseLabStateDir,
  LabStateError,
  type LabStateChoice,
  type RunningLabFound,
} from './find-running-lab.js';
export { readTopology, parseTopology, defaultTopologyPath, type Topology } from './topology/read-topology.js';
export {
  parseIngressPlacement,
  ingressPlacementFromEnv,
  ingressAddressEnv,
  ingressPortEnv,
  isLoopbackAddress,
  type IngressPlacement,
} from './addresses.js';
