/**
 * The parts of result.json about timing and delivered load: transitions (a fault's API call
 * until it converged, both ways), time to impact and to recover, and planned vs sent load.
 * Documented in docs/result.md and docs/verdicts.md.
 */
import { z } from 'zod';

const time = z.string().meta({ description: 'UTC time, ISO 8601 with milliseconds' });

export const transitionSchema = z.object({
  name: z.string().meta({ description: '"<phase>:apply" or "<phase>:revert"' }),
  phase: z.string().meta({ description: 'the phase whose faults were applied or reverted' }),
  stage: z.enum(['apply', 'revert']),
  startedAt: time.meta({ description: 'the API call' }),
  endedAt: time.nullable().meta({ description: 'when the data plane had it (the phase, or the next, starts here)' }),
  durationMs: z.number(),
  ingresses: z
    .array(
      z.object({
        ingress: z.string(),
        requests: z.number().int(),
        failures: z.number().int(),
        errorRate: z.number().nullable(),
        p95: z.number().nullable(),
      }),
    )
    .meta({ description: 'requests sent during the transition: reported, judged by no budget' }),
});

const timeToKind = z
  .enum(['measured', 'not-impacted', 'never-recovered', 'not-measured', 'recovered-during-fault'])
  .meta({
    description:
      "measured: the Ms field holds the time (negative = before convergence was observed); not-impacted: no request breached the baseline after the fault; never-recovered: no stretch of N windows was back within the baseline before the end; not-measured: no fault, or no baseline; recovered-during-fault (recovery only): the impact healed before the revert, timeToRecoverMs counts from the fault's converged time",
  });

export const timingSchema = z.object({
  ingress: z.string(),
  timeToImpactMs: z.number().nullable().meta({
    description:
      "fault converged → send time of the first request breaching the baseline's behaviour (never clamped); null unless impact is measured",
  }),
  timeToRecoverMs: z.number().nullable().meta({
    description:
      "revert converged → first request of N windows back within the baseline (never clamped); recovered-during-fault: the fault's converged time → that request; null otherwise",
  }),
  impactDurationMs: z.number().nullable().optional().meta({
    description: "the impact's first out-of-line request → the first request of recovery; null unless both were seen",
  }),
  impact: timeToKind.optional(),
  recovery: timeToKind.optional(),
  baseline: z
    .object({ failureShare: z.number(), p99Ms: z.number() })
    .nullable()
    .optional()
    .meta({ description: "the baseline's behaviour the rule compares with; null without a baseline phase" }),
});

export const deliverySchema = z.object({
  phase: z.string(),
  ingress: z.string(),
  planned: z.number().int().meta({ description: 'iterations planned: rate × the judged phase length' }),
  started: z
    .number()
    .int()
    .optional()
    .meta({ description: 'iterations started in the phase (by start time); absent in results written before it' }),
  sent: z.number().int().meta({
    description: 'requests sent in the phase (by send time), whatever their outcome; not compared with the plan',
  }),
  dropped: z.number().int().meta({ description: 'iterations k6 could not start (dropped_iterations)' }),
  delivered: z
    .number()
    .nullable()
    .meta({ description: 'started / planned (older results: sent / planned); null when nothing was planned' }),
  minDelivered: z.number().meta({ description: 'load.minDelivered as a share (0.95)' }),
  outcome: z.enum(['delivered', 'under-delivered']).meta({
    description: 'under-delivered: the verdicts of this phase × ingress that passed are inconclusive',
  }),
});
