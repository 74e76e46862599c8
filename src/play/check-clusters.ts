/**
 * `chaos plan` and `chaos validate --env` refuse what the run would refuse: every fault's
 * `check` against the clusters as they are now (read only). A refusal becomes an input issue
 * at the fault in the scenario file, naming the object, the reason and the field that overrides it.
 */
import { InputError, type InputIssue } from '../errors/errors.js';
import { readableClusters } from '../environment/open-environment.js';
import type { YamlSource } from '../input/yaml-source.js';
import type { RunPlan } from '../run/plan/build-plan.js';
import { checkPlan, type FaultCheck } from '../run/plan/check-plan.js';

export interface ClusterCheck {
  checks: FaultCheck[];
  /** Set when the clusters were not read at all. */
  unread?: string;
}

export async function checkClusters(plan: RunPlan, cwd: string): Promise<ClusterCheck> {
  const readable = await readableClusters(plan.environment, cwd);
  if ('reason' in readable) return { checks: [], unread: readable.reason };
  return { checks: await checkPlan(plan, readable.apis) };
}

/** Issues located at each refused fault in the file, for InputError. */
export function refusalIssues(
  source: YamlSource | undefined,
  file: string,
  checks: readonly FaultCheck[],
): InputIssue[] {
  return checks.flatMap((check) =>
    check.refusals.map((refusal) => {
      // `steps[i].faults[j]`, or the top-level `faults[j]` of the phases form.
      const steps = Array.isArray((source?.data as { steps?: unknown } | undefined)?.steps);
      const path = steps ? ['steps', check.phaseIndex, 'faults', check.faultIndex] : ['faults', check.faultIndex];
      const at = source ? source.locate(path) : { line: 1, column: 1 };
      return {
        file,
        ...at,
        path: steps ? `steps[${check.phaseIndex}].faults[${check.faultIndex}]` : `faults[${check.faultIndex}]`,
        message: `fault ${check.faultId} in ${check.cluster} refused: ${refusal.object}: ${refusal.reason}`,
        hint: refusal.override ? `if you mean it, set ${refusal.override} on this fault` : undefined,
      };
    }),
  );
}

export function throwIfRefused(source: YamlSource | undefined, file: string, checks: readonly FaultCheck[]): void {
  const issues = refusalIssues(source, file, checks);
  if (issues.length > 0)
    throw new InputError(`${file}: ${issues.length} refusal(s) against the clusters as they are now`, issues);
}
