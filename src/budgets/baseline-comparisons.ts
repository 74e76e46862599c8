/** Every later phase of every ingress compared with the first phase (the baseline): compare.ts on the ledger. */
import { comparePhase, type ErrorComparison, type LatencyComparison } from './compare.js';
import type { Ledger } from './ledger.js';

/** What the window test needs of a window: where it was, and its median. */
export interface WindowMedian {
  phase: string;
  ingress: string;
  requests: number;
  p50: number | null;
}

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

export function baselineComparisons(
  ledger: Ledger,
  ingresses: readonly string[],
  windows: readonly WindowMedian[] = [],
): Comparison[] {
  const [first, ...later] = ledger.phaseList();
  if (!first) return [];
  const medians = (phase: string, ingress: string) =>
    windows.flatMap((w) =>
      w.phase === phase && w.ingress === ingress && w.p50 !== null && w.requests > 0 ? [w.p50] : [],
    );
  return ingresses.flatMap((ingress) => {
    const sampleOf = (phase: typeof first) => {
      const stats = ledger.statsOfPhase(phase, ingress).stats!;
      return {
        sorted: stats.sortedValues(),
        requests: stats.requests,
        failures: stats.failures,
        windowMedians: medians(phase.name, ingress),
      };
    };
    const base = sampleOf(first);
    return later.map((phase) => {
      const sample = sampleOf(phase);
      const { latency, errors } = comparePhase(base, sample);
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
