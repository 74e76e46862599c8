/**
 * `pod-kill`: delete N Pods (or a percentage) matching a selector, once or every interval
 * during the phase. The interval loop is a Background: bounded by a count (phase length /
 * interval) and by the expiry, stopped by revert or by the session aborting. The revert
 * puts nothing back (controllers replace Pods) and waits until as many Pods are ready as before.
 */
import { HarnessError } from '../../errors/errors.js';
import { isNotFound } from '../../kube/api-error.js';
import type { Pod } from '../../kube/types.js';
import type { PodKillFault } from './schema.js';
import type { Background, FaultContext, FaultPlugin, KubeContext, MutationHandler } from '../fault-plugin.js';
import type { PodDeleteMutation } from './mutations.js';
import { isPodReady, selectorText } from '../readiness.js';
import { kubectl, revertMutations, verifyMutationsReverted, waitUntil } from '../wait.js';

function formatSelector(selector: Record<string, string>): string {
  return selectorText(selector);
}

export const podDeleteHandler: MutationHandler<PodDeleteMutation> = {
  kind: 'pod-delete',
  check: (mutation, context) =>
    `kubectl --context ${context} -n ${mutation.namespace} get pods -l ${mutation.selector}`,
  describe: (mutation) =>
    `delete Pod(s) ${mutation.pods.join(', ')} (${mutation.selector}) in ${mutation.namespace} in ${mutation.cluster}`,
  key: (mutation) => `${mutation.cluster}/pod-delete/${mutation.namespace}/${mutation.pods.join(',')}`,
  revert: async (mutation) => ({
    status: 'reverted',
    detail: `nothing to put back for deleted Pod(s) ${mutation.pods.join(', ')}: their controllers replace them`,
  }),
  verifyReverted: (mutation, ctx) =>
    waitUntil(
      ctx,
      `${mutation.readyBefore} ready Pod(s) matching ${mutation.selector} in ${mutation.namespace} (${mutation.cluster})`,
      async () => {
        const ready = (await ctx.api.listPods(mutation.namespace, { labelSelector: mutation.selector })).filter(
          isPodReady,
        ).length;
        return ready >= mutation.readyBefore ? undefined : `${ready} ready`;
      },
    ),
  manual: (mutation, context) =>
    `${kubectl(context, mutation.namespace)} get pods -l ${mutation.selector}  # deleted Pods are replaced by their controllers`,
};

const handlers = { 'pod-delete': podDeleteHandler };

function howMany(fault: PodKillFault, available: number): number {
  if (fault.amount.kind === 'count') return Math.min(fault.amount.count, available);
  // Round up: "10 % of 3 Pods" kills one, never none.
  return Math.min(available, Math.ceil((fault.amount.percentage / 100) * available));
}

function pick<T>(items: readonly T[], count: number, random: () => number): T[] {
  const pool = [...items];
  const chosen: T[] = [];
  while (chosen.length < count && pool.length > 0) chosen.push(pool.splice(Math.floor(random() * pool.length), 1)[0]!);
  return chosen;
}

/** One round: choose, journal, delete. Returns the mutation recorded. */
async function killRound(
  fault: PodKillFault,
  ctx: FaultContext,
  readyBefore: number | undefined,
): Promise<PodDeleteMutation> {
  const { api, target } = ctx;
  const selector = selectorText(fault.selector);
  const pods = await api.listPods(target.namespace, { labelSelector: selector });
  const alive = pods.filter(
    (pod) => !pod.metadata?.deletionTimestamp && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed',
  );
  if (alive.length === 0)
    throw new HarnessError(
      `no running Pod matches ${selector} in ${target.namespace} (${target.cluster})`,
      'check the selector: `kubectl get pods -l …`',
    );
  const victims = pick(alive, howMany(fault, alive.length), ctx.random);
  const mutation: PodDeleteMutation = {
    runId: target.runId,
    faultId: fault.id,
    cluster: target.cluster,
    expiresAt: ctx.expiresAt,
    kind: 'pod-delete',
    namespace: target.namespace,
    selector,
    pods: victims.map((pod) => pod.metadata?.name ?? ''),
    readyBefore: readyBefore ?? pods.filter(isPodReady).length,
  };
  await ctx.mutate(mutation, async () => {
    for (const pod of victims) {
      try {
        await api.deletePod(target.namespace, pod.metadata?.name ?? '', { uid: pod.metadata?.uid });
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
  });
  return mutation;
}

function startInterval(fault: PodKillFault, ctx: FaultContext, intervalMs: number, readyBefore: number): Background {
  const stop = new AbortController();
  const expiresAtMs = Date.parse(ctx.expiresAt);
  const rounds = Math.max(0, Math.ceil((expiresAtMs - ctx.now()) / intervalMs));
  const loop = (async () => {
    for (let round = 0; round < rounds; round += 1) {
      await ctx.sleep(intervalMs, stop.signal);
      if (stop.signal.aborted || ctx.signal.aborted || ctx.now() >= expiresAtMs) return;
      try {
        await killRound(fault, ctx, readyBefore);
      } catch {
        // A failed round (no Pod left, API hiccup) is not a reason to stop the phase; the journal has it.
        if (ctx.signal.aborted) return;
      }
    }
  })();
  return {
    stop: async () => {
      stop.abort();
      await loop;
    },
  };
}

async function checkKilled(ctx: FaultContext, applied: readonly PodDeleteMutation[]): Promise<string | undefined> {
  const first = applied.find((mutation): mutation is PodDeleteMutation => mutation.kind === 'pod-delete');
  if (!first) return 'no Pod deleted yet';
  for (const name of first.pods) {
    let pod: Pod;
    try {
      pod = await ctx.api.readPod(first.namespace, name);
    } catch (error) {
      if (isNotFound(error)) continue;
      throw error;
    }
    if (!pod.metadata?.deletionTimestamp) return `Pod ${first.namespace}/${name} is not being deleted`;
  }
  return undefined;
}

export const podKill: FaultPlugin<PodKillFault, PodDeleteMutation> = {
  type: 'pod-kill',
  plan: (fault, target) => {
    const amount =
      fault.amount.kind === 'count'
        ? `${fault.amount.count} Pod(s)`
        : `${fault.amount.percentage}% of the Pods (rounded up)`;
    const when = fault.intervalMs
      ? `every ${fault.intervalMs % 1000 === 0 ? `${fault.intervalMs / 1000}s` : `${fault.intervalMs}ms`} during the phase`
      : 'once';
    return [
      `DELETE ${amount} matching ${formatSelector(fault.selector)} in ${target.namespace}, ${when} (journal first: names and the count of ready Pods before)`,
      'verify: the chosen Pods are gone or terminating',
      'revert: stop killing, then wait until as many matching Pods are ready as before',
    ];
  },
  apply: async (fault, ctx) => {
    const first = await killRound(fault, ctx, undefined);
    return fault.intervalMs ? startInterval(fault, ctx, fault.intervalMs, first.readyBefore) : undefined;
  },
  verify: (fault, ctx, applied) =>
    waitUntil(ctx, `Pods of fault ${fault.id} deleted in ${ctx.target.cluster}`, () => checkKilled(ctx, applied)),
  revert: (_fault, ctx: KubeContext, applied) => revertMutations(applied, handlers, ctx),
  verifyReverted: async (_fault, ctx, applied) => {
    // Every round recorded the same readiness target: checking the newest is enough.
    const last = [...applied].reverse().find((mutation) => mutation.kind === 'pod-delete');
    await verifyMutationsReverted(last ? [last] : [], handlers, ctx);
  },
};
