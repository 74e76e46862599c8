/** result.json's `comparisons` and the verdict fields of issue 16 (docs/result.md, docs/verdicts.md). */
import { z } from 'zod';

const shiftSchema = z.object({
  baseline: z.number().meta({ description: "the baseline phase's value (ms, k6's percentile)" }),
  value: z.number().meta({ description: "this phase's value (ms)" }),
  shift: z.number().meta({ description: 'value − baseline (ms)' }),
  low: z.number().meta({
    description:
      'bootstrap 95 % interval of the shift over requests, lower end (ms); not calibrated (requests are not independent)',
  }),
  high: z.number().meta({ description: 'bootstrap 95 % interval of the shift over requests: upper end (ms)' }),
});

export const comparisonSchema = z.object({
  phase: z.string(),
  ingress: z.string(),
  baseline: z.string().meta({ description: "the phase compared with: the scenario's first (baseline or first step)" }),
  samples: z.number().int().meta({ description: 'requests in this phase on this ingress' }),
  baselineSamples: z.number().int().meta({ description: 'requests in the baseline phase on this ingress' }),
  latency: z
    .object({
      pValue: z.number().meta({
        description:
          'Mann-Whitney U over requests, two-sided, normal approximation with tie and continuity correction; not calibrated (requests of a phase are not independent): never the claim',
      }),
      windowPValue: z.number().nullable().optional().meta({
        description:
          "the same test with each window's median as one value (windows by send time inside each phase); the test behind a p50 claim; null with fewer than 3 windows a side",
      }),
      windowP95PValue: z.number().nullable().optional().meta({
        description: "the same test with each window's p95 as one value: the test behind a p95 claim",
      }),
      p50: shiftSchema,
      p95: shiftSchema,
      differs: z.boolean().optional().meta({
        description:
          'the claim: for p50 or p95, its per-window test gives p < 0.05 and its shift is at least its tolerance (docs/verdicts.md); absent in results written before it',
      }),
      differsBy: z
        .array(z.enum(['p50', 'p95']))
        .optional()
        .meta({ description: 'the statistics that carry the claim (empty: none)' }),
      tolerance: z
        .object({ p50: z.number(), p95: z.number() })
        .optional()
        .meta({ description: "the shifts (ms) within an unchanged system's drift: max(25 % of the baseline's, 5 ms)" }),
    })
    .nullable()
    .meta({ description: 'null when either phase had no requests' }),
  errors: z
    .object({
      baselineRate: z.number(),
      rate: z.number(),
      difference: z.number().meta({ description: 'rate − baselineRate' }),
      low: z
        .number()
        .meta({ description: 'Newcombe (hybrid Wilson score) 95 % interval of the difference: lower end' }),
      high: z
        .number()
        .meta({ description: 'Newcombe (hybrid Wilson score) 95 % interval of the difference: upper end' }),
      pValue: z.number().meta({ description: "Fisher's exact test, two-sided" }),
      differs: z.boolean().optional().meta({
        description: 'the claim: p < 0.05 and the rate moved by at least its tolerance; absent in older results',
      }),
      tolerance: z
        .number()
        .optional()
        .meta({ description: "a rate shift within an unchanged system's drift: max(25 % of the baseline's, 0.005)" }),
    })
    .nullable()
    .meta({ description: 'null when either phase had no requests' }),
});

/** Verdict fields added by issue 16; optional so results written before them still read. */
export const verdictDetail = {
  outcome: z.enum(['pass', 'fail', 'no-data', 'inconclusive']).optional().meta({
    description:
      'pass/fail: judged on measured data; no-data: nothing to measure (fails); inconclusive: too few samples for the percentile (see needed), a relative budget whose baseline was inconclusive, or the load of that phase × ingress not delivered (see delivery)',
  }),
  limit: z.number().optional().meta({
    description:
      "the number the value was compared with: the threshold's, or a relative one resolved from the baseline",
  }),
  needed: z.number().int().optional().meta({
    description: 'an inconclusive percentile: the samples it needs (n·(1 − q/100) ≥ 10)',
  }),
  timing: z.enum(['not-impacted', 'never-recovered', 'not-measured', 'recovered-during-fault']).optional().meta({
    description:
      "time_to_impact / time_to_recover / impact_duration: not-impacted (value null; impact never came: passes > and fails <; recovery and duration: pass <), never-recovered (value null, fails <), not-measured (no fault or no baseline: no-data), recovered-during-fault (the impact healed before the revert: time_to_recover is counted from the fault's converged time)",
  }),
  baseline: z
    .object({ phase: z.string(), value: z.number().nullable() })
    .optional()
    .meta({ description: 'a relative budget (`< baseline + 50`): the phase it refers to and its measured value' }),
};
