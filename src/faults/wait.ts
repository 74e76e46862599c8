/**
 * Bounded polling, and the shared revert loop. Every wait has a time bound and a count bound
 * and gives up early when the session aborts; a transient API error while polling is a
 * reason to look again, not a failure.
 */
import { errorText, HarnessError } from '../errors/errors.js';
import { handlerOf, type Convergence, type KubeContext, type MutationHandlers } from './fault-plugin.js';
import type { MutationRecord, RevertOutcome } from './mutation-base.js';

/**
 * Polls `check` until it returns undefined (satisfied). Otherwise it returns what is still
 * missing, which ends up in the timeout message.
 */
export async function waitUntil(
  ctx: KubeContext,
  what: string,
  check: () => Promise<string | undefined>,
  timeoutMs = ctx.timing.verifyTimeoutMs,
): Promise<void> {
  const deadline = ctx.now() + timeoutMs;
  const maxPolls = Math.max(1, Math.ceil(timeoutMs / Math.max(1, ctx.timing.pollIntervalMs))) + 1;
  let missing = 'not checked yet';
  for (let poll = 0; poll < maxPolls; poll += 1) {
    if (ctx.signal.aborted)
      throw new HarnessError(`stopped waiting for ${what}: the run is reverting (last seen: ${missing})`);
    try {
      const result = await check();
      if (result === undefined) return;
      missing = result;
    } catch (error) {
      missing = errorText(error);
    }
    if (ctx.now() >= deadline) break;
    await ctx.sleep(Math.min(ctx.timing.pollIntervalMs, Math.max(1, deadline - ctx.now())));
  }
  throw new HarnessError(`timed out after ${Math.round(timeoutMs / 1000)}s waiting for ${what}: ${missing}`);
}

/** Reverts `mutations` newest first; a failure of one never stops the others. */
export async function revertMutations(
  mutations: readonly MutationRecord[],
  handlers: MutationHandlers,
  ctx: KubeContext,
): Promise<RevertOutcome[]> {
  const outcomes: RevertOutcome[] = [];
  for (const mutation of [...mutations].reverse()) {
    outcomes.unshift(await revertOne(mutation, handlers, ctx));
  }
  return outcomes;
}

async function revertOne(
  mutation: MutationRecord,
  handlers: MutationHandlers,
  ctx: KubeContext,
): Promise<RevertOutcome> {
  const handler = handlerOf(handlers, mutation);
  try {
    return await handler.revert(mutation, ctx);
  } catch (error) {
    const reason = errorText(error);
    return {
      status: 'failed',
      detail: `could not revert ${handler.describe(mutation)}: ${reason}`,
      manual: handler.manual(mutation, ctx.api.context),
    };
  }
}

/** Waits for each mutation's system to be back; returns the latest data-plane convergence, if any mutation had one. */
export async function verifyMutationsReverted(
  mutations: readonly MutationRecord[],
  handlers: MutationHandlers,
  ctx: KubeContext,
): Promise<Convergence | undefined> {
  let latest: Convergence | undefined;
  for (const mutation of [...mutations].reverse()) {
    const convergence = await handlerOf(handlers, mutation).verifyReverted(mutation, ctx);
    if (convergence && (!latest || convergence.convergedAtMs > latest.convergedAtMs)) latest = convergence;
  }
  return latest;
}

/** `kubectl --context <context>`: every manual command names its context explicitly. */
export function kubectl(context: string, namespace?: string): string {
  return `kubectl --context ${context}${namespace ? ` -n ${namespace}` : ''}`;
}
