/** The `pod-kill` fault in a scenario file, and its normalized form. */
import { z } from 'zod';
import { duration, percentage } from '../../input/schema-parts.js';
import { parsePercentage } from '../../input/units.js';
import { checked, checkedMs, faultCommon, type FaultBase, type NormalizeContext } from '../fault-schema.js';

const selector = z.union(
  [
    z.string().regex(/^[A-Za-z0-9._/-]+=[A-Za-z0-9._-]+(,[A-Za-z0-9._/-]+=[A-Za-z0-9._-]+)*$/),
    z.record(z.string(), z.string()),
  ],
  { error: 'expected a label selector: "app=frontend" or a map {app: frontend}' },
);

export const podKillFault = z
  .strictObject({
    type: z.literal('pod-kill'),
    ...faultCommon,
    selector,
    count: z.number().int().min(1, { error: 'expected at least 1 Pod' }).optional(),
    percentage: percentage.optional(),
    interval: duration
      .optional()
      .meta({ description: 'Kill again at this interval during the fault phase; default: once' }),
  })
  .meta({ description: 'Delete Pods matching a selector (a count or a percentage), once or at an interval.' });

export interface PodKillFault extends FaultBase {
  type: 'pod-kill';
  namespace?: string;
  selector: Record<string, string>;
  amount: { kind: 'count'; count: number } | { kind: 'percentage'; percentage: number };
  /** Kill again every intervalMs during the phase; undefined = once. */
  intervalMs?: number;
}

export function normalizePodKill(raw: z.output<typeof podKillFault>, context: NormalizeContext): PodKillFault {
  if ((raw.count === undefined) === (raw.percentage === undefined)) {
    context.report(
      context.at,
      'expected exactly one of count or percentage',
      'count: 1 kills one Pod; percentage: 50 kills half of the matching Pods',
      'key',
    );
  }
  const amount =
    raw.percentage !== undefined
      ? { kind: 'percentage' as const, percentage: checked(parsePercentage(raw.percentage)) }
      : { kind: 'count' as const, count: raw.count ?? 1 };
  return {
    type: 'pod-kill',
    ...context.base,
    namespace: raw.namespace,
    selector: parseSelector(raw.selector),
    amount,
    intervalMs: raw.interval ? checkedMs(raw.interval) : undefined,
  };
}

function parseSelector(selector: string | Record<string, string>): Record<string, string> {
  if (typeof selector !== 'string') return selector;
  return Object.fromEntries(selector.split(',').map((pair) => pair.split('=') as [string, string]));
}
