/**
 * The timeline of one run: load first, then each phase in turn — apply its faults (journal
 * first, in the driver), hold, revert — while a monitor digests k6's samples into windows and
 * checks abort limits on every window. Every way out goes through `revertAll`.
 */
import { Ledger, type WindowSummary } from '../budgets/ledger.js';
import { RequestTrail } from '../budgets/request-trail.js';
import { buildLoadConfig } from '../load/k6-args.js';
import type { K6Binary } from '../load/k6-binary.js';
import { startK6, type K6End, type K6Run } from '../load/k6-run.js';
import type { RunPlan } from './build-plan.js';
import type { AppliedFault, FaultDriver, RevertedFault, RevertReport } from './fault-driver.js';
import { openPhaseGate, type PhaseGate, type RunControl } from './run-control.js';
import type { RunEventSink } from './run-events.js';
import { hostname } from 'node:os';
import { sleep } from '../system/sleep.js';
import { errorText } from '../errors/errors.js';

export interface RunDeps {
  k6: K6Binary;
  driver: FaultDriver;
  ingressUrls: Record<string, string>;
  runDir: string;
  emit: RunEventSink;
  /** Aborted by SIGINT/SIGTERM; `reason` says which. */
  interrupt: AbortSignal;
  /** Set by a second signal: do not wait for k6 to flush. */
  hurry: AbortSignal;
  /** Aborted when the run must stop as a harness error (an uncaught error, the lock lost); reason says why. */
  failure?: AbortSignal;
  now?: () => number;
  /** Another k6 script (tests of script errors); default: src/load/script/load.ts. */
  scriptPath?: string;
  /** Game day: a facilitator's commands (next, hold, revert, revert-all, abort, note). Absent: the plan's clock. */
  control?: RunControl;
  /** How long k6 may run past the planned timeline (applies, reverts, held phases); default 600 s. */
  loadSlackSeconds?: number;
  /** Maps the mesh's upstream address of a response (`addr:<ip:port>`) to a cluster; absent: kept as is. */
  servedBy?: (raw: string) => string;
  /** Another load runner with k6's interface (distributed load: src/load/k6-operator-run.ts); default: a local k6. */
  startLoad?: (options: Parameters<typeof startK6>[0]) => LoadRun;
}

/** A load runner: k6's interface, with its own patience for the first sample and for late samples. */
export type LoadRun = K6Run & { firstSampleTimeoutMs?: number; windowLagMs?: number };

export type RunStop =
  | { kind: 'completed' }
  | { kind: 'aborted'; reason: string }
  | { kind: 'interrupted'; reason: string }
  | { kind: 'error'; reason: string };

export interface RunRecord {
  stop: RunStop;
  ledger: Ledger;
  windows: WindowSummary[];
  applied: AppliedFault[];
  reverted: RevertedFault[];
  revertAll?: RevertReport;
  k6End?: K6End;
  startedAtMs: number;
  endedAtMs: number;
  /** Every request per ingress by send time, for time to impact and to recover. */
  trails: Map<string, RequestTrail>;
}

/** Windows are closed this long after they end: k6 flushes every 200 ms and we poll every 100 ms. */
const windowLagMs = 700;
const pollMs = 100;
const firstSampleTimeoutMs = 30_000;

class Stop extends Error {
  constructor(readonly stop: RunStop) {
    super(stop.kind);
  }
}

export async function executeRun(plan: RunPlan, deps: RunDeps): Promise<RunRecord> {
  const now = deps.now ?? Date.now;
  const { scenario } = plan;
  const startedAtMs = now();
  const ledger = new Ledger({
    ingresses: plan.load.map((load) => load.ingress),
    windowMs: scenario.windowMs,
    method: scenario.load.method,
    budgets: scenario.budgets,
    abortLimits: scenario.abortLimits,
    originMs: startedAtMs,
    ratePerSecond: scenario.load.ratePerSecond,
    minDelivered: scenario.load.minDelivered,
  });
  const trails = new Map(plan.load.map((load) => [load.ingress, new RequestTrail()]));
  const applied: AppliedFault[] = [];
  const reverted: RevertedFault[] = [];
  const record: RunRecord = {
    stop: { kind: 'completed' },
    ledger,
    windows: ledger.windows,
    applied,
    reverted,
    startedAtMs,
    endedAtMs: startedAtMs,
    trails,
  };
  const halt = new AbortController();
  const haltWith = (stop: RunStop) => {
    if (!halt.signal.aborted) halt.abort(new Stop(stop));
  };
  const onInterrupt = () => haltWith({ kind: 'interrupted', reason: String(deps.interrupt.reason ?? 'interrupted') });
  deps.interrupt.addEventListener('abort', onInterrupt);
  if (deps.interrupt.aborted) onInterrupt();
  const onFailure = () => haltWith({ kind: 'error', reason: String(deps.failure?.reason ?? 'harness failure') });
  deps.failure?.addEventListener('abort', onFailure);
  if (deps.failure?.aborted) onFailure();

  // k6 runs longer than planned (applies and reverts take time); we stop it when the timeline ends.
  const slackSeconds = deps.loadSlackSeconds ?? 600;
  const config = buildLoadConfig(plan.load, deps.ingressUrls, Math.ceil(plan.totalMs / 1000) + slackSeconds);
  let firstSampleAt: number | undefined;
  const k6: LoadRun = (deps.startLoad ?? startK6)({
    k6: deps.k6,
    runDir: deps.runDir,
    config,
    scriptPath: deps.scriptPath,
    userScript: plan.load[0]?.script,
    outputs: plan.load[0]?.outputs,
    servedBy: deps.servedBy,
    onSample: (sample) => {
      firstSampleAt ??= now();
      ledger.add(sample);
      if (sample.kind === 'request') trails.get(sample.ingress)?.add(sample.sentMs, sample.durationMs, sample.failed);
    },
    onLog: (line) => deps.emit({ type: 'log', atMs: now(), level: 'warn', message: `k6: ${line}` }),
  });
  if (k6.pid !== undefined) deps.emit({ type: 'k6-started', atMs: now(), pid: k6.pid, host: hostname() });
  k6.ended.then(({ end }) => {
    record.k6End = end;
    // What k6 wrote last is read first: an output the harness cannot read is the cause to report.
    try {
      k6.samples.poll();
    } catch (error) {
      haltWith({ kind: 'error', reason: errorText(error) });
      return;
    }
    if (end.kind === 'script-error')
      haltWith({ kind: 'error', reason: `k6 script error (exit ${end.exitCode}): ${end.message}` });
    else if (end.kind === 'crashed')
      haltWith({ kind: 'error', reason: `k6 died mid-run (exit ${end.exitCode ?? end.signal}): ${end.message}` });
    else if (end.kind === 'completed') haltWith({ kind: 'error', reason: 'k6 finished before the timeline did' });
  });
  const monitor = setInterval(() => {
    try {
      k6.samples.poll();
    } catch (error) {
      // A sample the harness cannot read: the run cannot be judged; stop it (and revert) as a harness error.
      haltWith({ kind: 'error', reason: errorText(error) });
      return;
    }
    for (const window of ledger.closeWindows(now() - (k6.windowLagMs ?? windowLagMs))) {
      deps.emit({ type: 'window', atMs: now(), window });
      const [breach] = window.breaches;
      if (breach) {
        deps.emit({
          type: 'abort',
          atMs: now(),
          reason: `abort limit ${breach.limit} breached on ingress ${window.ingress}`,
          windowEndMs: window.endMs,
        });
        haltWith({
          kind: 'aborted',
          reason: `abort limit "${breach.limit}" breached on ingress ${window.ingress} (window ending ${new Date(window.endMs).toISOString()}: ${breach.value})`,
        });
      }
    }
  }, pollMs);

  let applying: Promise<unknown> = Promise.resolve();
  const gate: PhaseGate | undefined =
    deps.control &&
    openPhaseGate({
      control: deps.control,
      driver: deps.driver,
      emit: deps.emit,
      now,
      abort: (reason) => haltWith({ kind: 'interrupted', reason }),
      onReverted: (records) => reverted.push(...records),
      afterApply: () =>
        applying.then(
          () => undefined,
          () => undefined,
        ),
    });

  try {
    await waitForFirstSample(() => firstSampleAt, halt.signal, k6.firstSampleTimeoutMs);
    deps.emit({
      type: 'load-started',
      atMs: now(),
      ingresses: Object.fromEntries(config.ingresses.map((ingress) => [ingress.name, ingress.url])),
    });
    // Phases run on the mesh's clock: a phase with faults is judged from the moment they converged
    // (the span from the API call is the apply transition) until its revert's API call; what
    // follows, until the revert converged, is the revert transition.
    let judgedFrom: number | undefined;
    for (const phase of plan.phases) {
      const phaseStart = now();
      const withFaults = phase.faults.length > 0 && !gate?.faultsStopped();
      if (withFaults) ledger.startTransition(phase.name, 'apply', judgedFrom ?? phaseStart);
      else ledger.startPhase(phase.name, judgedFrom ?? phaseStart);
      judgedFrom = undefined;
      deps.emit({ type: 'phase-started', atMs: phaseStart, phase: phase.name, plannedMs: phase.durationMs });
      gate?.enter(phase);
      if (withFaults) {
        const applyingNow = deps.driver.apply(phase, halt.signal);
        applying = applyingNow;
        try {
          // The driver announces each fault (fault-applied) itself, once; the timeline keeps the records.
          const records = await applyingNow;
          applied.push(...records);
          ledger.startPhase(phase.name, convergedAt(records) ?? now());
        } catch (error) {
          // The big red key stops an apply in flight: what it did apply is reverted, the run goes on.
          if (!gate?.faultsStopped()) throw error;
          ledger.startPhase(phase.name, now());
        }
      }
      if (gate) await gate.waitForEnd(phaseStart + phase.durationMs, halt.signal);
      else await sleep(phaseStart + phase.durationMs - now(), halt.signal);
      const early = gate?.revertedEarly(phase);
      if (early) await early;
      else if (phase.faults.length > 0 && !gate?.faultsStopped()) {
        ledger.startTransition(phase.name, 'revert', now());
        const records = await deps.driver.revert(phase);
        reverted.push(...records);
        judgedFrom = revertConvergedAt(records) ?? now();
      }
    }
    if (judgedFrom !== undefined) ledger.endPhases(judgedFrom);
  } catch (error) {
    record.stop = error instanceof Stop ? error.stop : { kind: 'error', reason: errorText(error) };
  } finally {
    gate?.close();
    deps.interrupt.removeEventListener('abort', onInterrupt);
    deps.failure?.removeEventListener('abort', onFailure);
    // Always: after a completed timeline this finds nothing left; on any other way out it is the rollback.
    const startedRevert = now();
    const reason = record.stop.kind === 'completed' ? 'end of run (safety net)' : record.stop.reason;
    const report = await deps.driver.revertAll(reason);
    record.revertAll = { ...report, startedAtMs: startedRevert, finishedAtMs: now() };
    if (record.stop.kind !== 'completed' || report.reverted.length > 0 || report.failures.length > 0) {
      deps.emit({
        type: 'revert-all',
        atMs: startedRevert,
        reason,
        finishedAtMs: now(),
        failures: report.failures.map((f) => `${f.faultId}@${f.cluster}: ${f.message}`),
      });
    }
    ledger.endPhases(now());
    record.endedAtMs = now();
    // Requests in flight at the end finish (bounded by their timeout) and are counted: k6's first
    // signal interrupts in-flight iterations, so it is sent only once they have had their time.
    if (record.stop.kind === 'completed' && !deps.hurry.aborted)
      await sleep(plan.load[0]!.timeoutMs + (k6.windowLagMs ?? windowLagMs), deps.hurry).catch(() => undefined);
    await stopK6(k6, deps.hurry, record.stop.kind === 'error' ? 'kill' : 'stop');
    clearInterval(monitor);
    try {
      k6.samples.close();
    } catch (error) {
      if (record.stop.kind !== 'error') record.stop = { kind: 'error', reason: errorText(error) };
    }
    for (const window of ledger.closeWindows(record.endedAtMs + scenario.windowMs))
      deps.emit({ type: 'window', atMs: now(), window });
    deps.emit({ type: 'k6-ended', atMs: now(), end: record.k6End?.kind ?? 'unknown' });
  }
  return record;
}

/** When every fault of the phase was in effect in the data plane: the latest converged (else effective) time. */
export function convergedAt(records: readonly AppliedFault[]): number | undefined {
  if (records.length === 0) return undefined;
  return Math.max(...records.map((r) => r.convergedAtMs ?? r.effectiveAtMs));
}

/** When every revert of the phase was in effect: the latest converged, else verified, else API time. */
export function revertConvergedAt(records: readonly RevertedFault[]): number | undefined {
  if (records.length === 0) return undefined;
  return Math.max(...records.map((r) => r.revertConvergedAtMs ?? r.verifiedAtMs ?? r.revertedAtMs));
}

async function stopK6(k6: K6Run, hurry: AbortSignal, how: 'stop' | 'kill'): Promise<void> {
  if (how === 'kill' || hurry.aborted) k6.kill();
  else k6.stop();
  const onHurry = () => k6.kill();
  hurry.addEventListener('abort', onHurry);
  // Bounded: a k6 that ignores SIGINT for 15 s is killed.
  const timer = setTimeout(() => k6.kill(), 15_000);
  await k6.ended;
  clearTimeout(timer);
  hurry.removeEventListener('abort', onHurry);
}

async function waitForFirstSample(
  firstSampleAt: () => number | undefined,
  signal: AbortSignal,
  timeoutMs = firstSampleTimeoutMs,
): Promise<void> {
  for (let waited = 0; firstSampleAt() === undefined; waited += pollMs) {
    if (waited >= timeoutMs)
      throw new Stop({
        kind: 'error',
        reason: `no request completed within ${timeoutMs / 1000}s of starting k6: is every ingress answering?`,
      });
    await sleep(pollMs, signal);
  }
}
