/** A fault refused before it changed anything: one error naming every object, why, and the override. */
import { HarnessError } from '../errors/errors.js';
import { describeRefusal, type Refusal } from './fault-plugin.js';

export class FaultRefusedError extends HarnessError {
  constructor(
    readonly what: string,
    readonly refusals: readonly Refusal[],
  ) {
    super(
      `refusing to ${what}, nothing was changed:\n  ${refusals.map(describeRefusal).join('\n  ')}`,
      refusals.some((refusal) => refusal.override)
        ? 'set the named field in the scenario if you mean it'
        : 'fix the cluster (or `chaos recover`) first',
    );
  }
}

export function refusalError(what: string, refusals: readonly Refusal[]): FaultRefusedError {
  return new FaultRefusedError(what, refusals);
}
