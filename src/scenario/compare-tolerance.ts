/**
 * `compare.tolerance` of a scenario or an environment file, normalized: a share, ms and a rate,
 * only the fields given (the scenario's win over the environment's, field by field, and the
 * calibrated default fills the rest: budgets/compare.ts `toleranceFor`).
 */
import type { Tolerance } from '../budgets/compare.js';
import { parseDuration, parsePercentage } from '../input/units.js';

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
