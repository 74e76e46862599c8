/** Every later phase of every ingress compared with the first phase (the baseline): compare.ts on the ledger. */
import { comparePhase, type ComparisonOptions, type ErrorComparison, type LatencyComparison } from './compare.js';
import type { Ledger } from './ledger.js';

export interface Comparison {
  phase: string;
  ingress: string;
  /** The phase compared with: the scenario's first (baseline, or the first step). */
  baseline: string;
  samples: number;
  baselineSamples: number;
  latency: LatencyComparison | null;
  errors: ErrorComparison | null;
}

/**
 * `options.tolerance`: the drift the scenario allows (compare.tolerance); the windows are the
 * ledger's own, by send time inside each phase.
 */
export function baselineComparisons(
  ledger: Ledger,
  ingresses: readonly string[],
  options: ComparisonOptions = {},
): Comparison[] {
  const [first, ...later] = ledger.phaseList();
  if (!first) return [];
  return ingresses.flatMap((ingress) => {
    const sampleOf = (phase: typeof first) => {
      const stats = ledger.statsOfPhase(phase, ingress).stats!;
      return {
        sorted: stats.sortedValues(),
        requests: stats.requests,
        failures: stats.failures,
        windows: ledger.windowStatistics(phase, ingress),
      };
    };
    const base = sampleOf(first);
    return later.map((phase) => {
      const sample = sampleOf(phase);
      const { latency, errors } = comparePhase(base, sample, options);
      return {
        phase: phase.name,
        ingress,
        baseline: first.name,
        samples: sample.requests,
        baselineSamples: base.requests,
        latency,
        errors,
      };
    });
  });
}
