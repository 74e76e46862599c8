/**
 * `compare.tolerance` of a scenario or an environment file, normalized: a share, ms and a rate,
 * only the fields given (the scenario's win over the environment's, field by field, and the
 * calibrated default fills the rest: budgets/compare.ts `toleranceFor`).
 */
import { z } from 'zod';
import { duration, percentage } from '../input/schema-parts.js';
import { parseDuration, parsePercentage } from '../input/units.js';
import type { Tolerance } from './compare.js';

/**
 * `compare.tolerance`: the drift between phases an unchanged system shows, within which the
 * baseline comparison claims no difference (docs/verdicts.md, "The claim"). In a scenario or an
 * environment file (the scenario's wins, field by field); absent: the calibrated default.
 */
export const compareSchema = z
  .strictObject({
    tolerance: z
      .strictObject({
        relative: percentage.optional().meta({ description: "A share of the baseline's value (default 25%)" }),
        latency: duration.optional().meta({ description: 'The least latency shift that can be claimed (default 5ms)' }),
        errors: percentage
          .optional()
          .meta({ description: 'The least error-rate shift that can be claimed, in percentage points (default 0.5%)' }),
      })
      .meta({
        description:
          "How far an unchanged system drifts between phases; `chaos`'s A/A bench (bench/aa-calibration.ts) prints what a machine or cluster needs",
      }),
  })
  .meta({ description: 'The baseline comparison (docs/verdicts.md)' });

export interface RawCompare {
  tolerance: { relative?: number | string; latency?: string; errors?: number | string };
}

export function normalizeTolerance(raw: RawCompare | undefined): Partial<Tolerance> | undefined {
  const given = raw?.tolerance;
  if (!given) return undefined;
  const share = (value: number | string | undefined) => {
    const parsed = parsePercentage(value);
    return parsed.ok ? parsed.value / 100 : undefined;
  };
  const latency = parseDuration(given.latency);
  const tolerance: Partial<Tolerance> = {};
  const relative = share(given.relative);
  const errors = share(given.errors);
  if (relative !== undefined) tolerance.relative = relative;
  if (latency.ok) tolerance.latencyFloorMs = latency.value;
  if (errors !== undefined) tolerance.errorFloor = errors;
  return tolerance;
}
