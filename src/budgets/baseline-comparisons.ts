/** Every later phase of every ingress compared with the first phase (the baseline): compare.ts on the ledger. */
import { comparePhase, windowRankTest, type ErrorComparison, type LatencyComparison } from './compare.js';
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
    const base = ledger.statsOfPhase(first, ingress).stats!;
    const baseSample = { sorted: base.sortedValues(), requests: base.requests, failures: base.failures };
    return later.map((phase) => {
      const stats = ledger.statsOfPhase(phase, ingress).stats!;
      const sample = { sorted: stats.sortedValues(), requests: stats.requests, failures: stats.failures };
      const { latency, errors } = comparePhase(baseSample, sample);
      const windowPValue = windowRankTest(medians(first.name, ingress), medians(phase.name, ingress));
      return {
        phase: phase.name,
        ingress,
        baseline: first.name,
        samples: stats.requests,
        baselineSamples: base.requests,
        latency: latency && { ...latency, windowPValue },
        errors,
      };
    });
  });
}
