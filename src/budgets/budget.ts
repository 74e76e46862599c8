/** A budget as the scenario declares it, parsed: which phase, which metric, which threshold. */
import type { MetricSelector, Threshold } from './threshold.js';

export interface Budget {
  /** Phase name, or "all" for every phase. */
  phase: string;
  selector: MetricSelector;
  threshold: Threshold;
}

/** A budget checked on every window; a breach reverts all faults at once. */
export interface AbortLimit {
  selector: MetricSelector;
  threshold: Threshold;
}
