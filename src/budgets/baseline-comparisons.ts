/** Every later phase of every ingress compared with the first phase (the baseline): compare.ts on the ledger. */
import { comparePhase, type ErrorComparison, type LatencyComparison } from './compare.js';
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

export function baselineComparisons(ledger: Ledger, ingresses: readonly string[]): Comparison[] {
  const [first, ...later] = ledger.phaseList();
  if (!first) return [];
  return ingresses.flatMap((ingress) => {
    const base = ledger.statsOfPhase(first, ingress).stats!;
    const baseSample = { sorted: base.sortedValues(), requests: base.requests, failures: base.failures };
    return later.map((phase) => {
      const stats = ledger.statsOfPhase(phase, ingress).stats!;
      const sample = { sorted: stats.sortedValues(), requests: stats.requests, failures: stats.failures };
      return {
        phase: phase.name,
        ingress,
        baseline: first.name,
        samples: stats.requests,
        baselineSamples: base.requests,
        ...comparePhase(baseSample, sample),
      };
    });
  });
}
