/**
 * One interface for every fault type; one file per type; one explicit registry (registry.ts).
 * To add a fault: write `<type>.ts` exporting a FaultPlugin, add it to the registry map,
 * add its entry to the scenario schema, and a test. See docs in README "Adding a fault".
 */
import type { Fault } from '../scenario/types.js';

/** Where one fault lands: one cluster of the environment. */
export interface FaultTarget {
  cluster: string;
  context: string;
  /** The fault's namespace, defaulted to the environment's app namespace. */
  namespace: string;
  /** Names our own objects and annotations, e.g. a VirtualService route `chaos-<runId>-<faultId>`. */
  runId: string;
}

export interface FaultPlugin<F extends Fault = Fault> {
  type: F['type'];
  /** The exact mutations, as sentences, for `chaos plan`: touches nothing. */
  plan(fault: F, target: FaultTarget): string[];
}
