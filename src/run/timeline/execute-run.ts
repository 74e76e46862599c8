/**
 * The timeline of one run: load first, then each phase in turn — apply its faults (journal
 * first, in the driver), hold, revert — while a monitor digests k6's samples into windows and
 * checks abort limits on every window. Every way out goes through `revertAll`.
 */
import { Ledger } from '../../budgets/ledger.js';
import { RequestTrail } from '../../budgets/request-trail.js';
import { buildLoadConfig } from '../../load/k6-args.js';
import type { K6Binary } from '../../load/k6-binary.js';
import { startK6, type K6End } from '../../load/k6-run.js';
import type { PlannedPhase, RunPlan } from '../plan/build-plan.js';
import type { FaultDriver } from '../session/fault-driver.js';
import { openPhaseGate, type PhaseGate, type RunControl } from './run-control.js';
import type { RunEventSink } from '../record/run-events.js';
import { hostname } from 'node:os';
import { sleep } from '../../system/sleep.js';
import { convergedAt, revertConvergedAt, Stop, type RunRecord, type RunStop } from './run-record.js';
import { pollMs, stopK6, waitForFirstSample, type LoadRun } from './load-lifecycle.js';

export type { RunRecord };
import { errorText } from '../../errors/errors.js';
import path from 'node:path';
import { sampleParser } from '../../load/samples.js';
import { auditRawSamples, type RawAudit } from './raw-audit.js';

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
  /** k6's per-request JSON output kept too (--raw-samples), for audits; the records are judged either way. */
  rawSamples?: boolean;
  /** Game day: a facilitator's commands (next, hold, revert, revert-all, abort, note). Absent: the plan's clock. */
  control?: RunControl;
  /** How long k6 may run past the planned timeline (applies, reverts, held phases); default 600 s. */
  loadSlackSeconds?: number;
  /** Maps the mesh's upstream address of a response (`addr:<ip:port>`) to a cluster; absent: kept as is. */
  servedBy?: (raw: string) => string;
  /** Another load runner with k6's interface (distributed load: src/load/k6-operator-run.ts); default: a local k6. */
  startLoad?: (options: Parameters<typeof startK6>[0]) => LoadRun;
}

/** Windows are closed this long after they end: k6 flushes every 200 ms and we poll every 100 ms. */
const windowLagMs = 700;
/** How long a VU may keep a record before it writes it (src/load/script/chaos-k6.ts batchMs). */
const recordBatchMs = 200;

export async function executeRun(plan: RunPlan, deps: RunDeps): Promise<RunRecord> {
  return new Timeline(plan, deps).run();
}

/** One run's timeline: its record, the signal that halts it, the load, the phases, the way out. */
class Timeline {
  private readonly now: () => number;
  private readonly ledger: Ledger;
  private readonly record: RunRecord;
  private readonly halt = new AbortController();
  private readonly k6: LoadRun;
  private readonly ingressUrls: Record<string, string>;
  private firstSampleAt: number | undefined;
  private applying: Promise<unknown> = Promise.resolve();
  private gate: PhaseGate | undefined;

  constructor(
    private readonly plan: RunPlan,
    private readonly deps: RunDeps,
  ) {
    this.now = deps.now ?? Date.now;
    const { scenario } = plan;
    const startedAtMs = this.now();
    this.ledger = new Ledger({
      ingresses: plan.load.map((load) => load.ingress),
      windowMs: scenario.windowMs,
      method: scenario.load.method,
      budgets: scenario.budgets,
      abortLimits: scenario.abortLimits,
      originMs: startedAtMs,
      ratePerSecond: scenario.load.ratePerSecond,
      minDelivered: scenario.load.minDelivered,
    });
    this.record = {
      stop: { kind: 'completed' },
      ledger: this.ledger,
      windows: this.ledger.windows,
      applied: [],
      reverted: [],
      startedAtMs,
      endedAtMs: startedAtMs,
      trails: new Map(plan.load.map((load) => [load.ingress, new RequestTrail()])),
    };
    // k6 runs longer than planned (applies and reverts take time); we stop it when the timeline ends.
    const slackSeconds = deps.loadSlackSeconds ?? 600;
    const phasesSeconds = Math.ceil(plan.totalMs / 1000);
    const config = {
      ...buildLoadConfig(plan.load, deps.ingressUrls, phasesSeconds + slackSeconds, phasesSeconds, plan.runId),
      ...(deps.rawSamples ? { raw: true } : {}),
    };
    this.ingressUrls = Object.fromEntries(config.ingresses.map((ingress) => [ingress.name, ingress.url]));
    this.k6 = (deps.startLoad ?? startK6)({
      k6: deps.k6,
      runDir: deps.runDir,
      config,
      scriptPath: deps.scriptPath,
      userScript: plan.load[0]?.script,
      outputs: plan.load[0]?.outputs,
      servedBy: deps.servedBy,
      onSample: (sample) => {
        this.firstSampleAt ??= this.now();
        this.ledger.add(sample);
        if (sample.kind === 'request')
          this.record.trails.get(sample.ingress)?.add(sample.sentMs, sample.durationMs, sample.failed);
        // A failed check is impact too (time to impact and recover): placed at its time, never slow.
        else if (sample.kind === 'check') this.record.trails.get(sample.ingress)?.add(sample.timeMs, 0, !sample.passed);
      },
      onLog: (line) => deps.emit({ type: 'log', atMs: this.now(), level: 'warn', message: `k6: ${line}` }),
    });
  }

  async run(): Promise<RunRecord> {
    const { deps } = this;
    const onInterrupt = () =>
      this.haltWith({ kind: 'interrupted', reason: String(deps.interrupt.reason ?? 'interrupted') });
    const onFailure = () => this.haltWith({ kind: 'error', reason: String(deps.failure?.reason ?? 'harness failure') });
    deps.interrupt.addEventListener('abort', onInterrupt);
    if (deps.interrupt.aborted) onInterrupt();
    deps.failure?.addEventListener('abort', onFailure);
    if (deps.failure?.aborted) onFailure();
    if (this.k6.pid !== undefined)
      deps.emit({ type: 'k6-started', atMs: this.now(), pid: this.k6.pid, host: hostname() });
    void this.k6.ended.then(({ end }) => this.k6Ended(end));
    const monitor = setInterval(() => this.monitor(), pollMs);
    this.gate = this.openGate();
    try {
      await waitForFirstSample(() => this.firstSampleAt, this.halt.signal, this.k6.firstSampleTimeoutMs);
      deps.emit({ type: 'load-started', atMs: this.now(), ingresses: this.ingressUrls });
      await this.playPhases();
    } catch (error) {
      this.record.stop = error instanceof Stop ? error.stop : { kind: 'error', reason: errorText(error) };
    } finally {
      this.gate?.close();
      deps.interrupt.removeEventListener('abort', onInterrupt);
      deps.failure?.removeEventListener('abort', onFailure);
      await this.wayOut(monitor);
    }
    return this.record;
  }

  private haltWith(stop: RunStop): void {
    if (!this.halt.signal.aborted) this.halt.abort(new Stop(stop));
  }

  /** What k6 wrote last is read first: an output the harness cannot read is the cause to report. */
  private k6Ended(end: K6End): void {
    this.record.k6End = end;
    try {
      this.k6.samples.poll();
    } catch (error) {
      this.haltWith({ kind: 'error', reason: errorText(error) });
      return;
    }
    if (end.kind === 'script-error')
      this.haltWith({ kind: 'error', reason: `k6 script error (exit ${end.exitCode}): ${end.message}` });
    else if (end.kind === 'crashed')
      this.haltWith({ kind: 'error', reason: `k6 died mid-run (exit ${end.exitCode ?? end.signal}): ${end.message}` });
    else if (end.kind === 'completed') this.haltWith({ kind: 'error', reason: 'k6 finished before the timeline did' });
  }

  /** Every poll: digest samples, close windows, check abort limits on each. */
  private monitor(): void {
    const { deps } = this;
    try {
      this.k6.samples.poll();
    } catch (error) {
      // A sample the harness cannot read: the run cannot be judged; stop it (and revert) as a harness error.
      this.haltWith({ kind: 'error', reason: errorText(error) });
      return;
    }
    for (const window of this.ledger.closeWindows(this.now() - (this.k6.windowLagMs ?? windowLagMs))) {
      deps.emit({ type: 'window', atMs: this.now(), window });
      const [breach] = window.breaches;
      if (!breach) continue;
      deps.emit({
        type: 'abort',
        atMs: this.now(),
        reason: `abort limit ${breach.limit} breached on ingress ${window.ingress}`,
        windowEndMs: window.endMs,
      });
      this.haltWith({
        kind: 'aborted',
        reason: `abort limit "${breach.limit}" breached on ingress ${window.ingress} (window ending ${new Date(window.endMs).toISOString()}: ${breach.value})`,
      });
    }
  }

  /** Game day: a facilitator's commands steer the phases. */
  private openGate(): PhaseGate | undefined {
    const { deps } = this;
    return (
      deps.control &&
      openPhaseGate({
        control: deps.control,
        driver: deps.driver,
        emit: deps.emit,
        now: this.now,
        abort: (reason) => this.haltWith({ kind: 'interrupted', reason }),
        onReverted: (records) => this.record.reverted.push(...records),
        // A revert by command is a transition like the planned one: judged by no budget until it converged.
        onRevertStarted: (phase, atMs) => this.ledger.startTransition(phase.name, 'revert', atMs),
        afterApply: () =>
          this.applying.then(
            () => undefined,
            () => undefined,
          ),
      })
    );
  }

  /**
   * Phases run on the mesh's clock: a phase with faults is judged from the moment they converged
   * (the span from the API call is the apply transition) until its revert's API call; what
   * follows, until the revert converged, is the revert transition.
   */
  private async playPhases(): Promise<void> {
    let judgedFrom: number | undefined;
    for (const phase of this.plan.phases) judgedFrom = await this.playPhase(phase, judgedFrom);
    if (judgedFrom !== undefined) this.ledger.endPhases(judgedFrom);
  }

  /** One phase: apply, hold, revert. Returns when the next phase is judged from (a converged revert). */
  private async playPhase(phase: PlannedPhase, judgedFrom: number | undefined): Promise<number | undefined> {
    const { deps, gate, ledger } = this;
    const phaseStart = this.now();
    const withFaults = phase.faults.length > 0 && !gate?.faultsStopped();
    if (withFaults) ledger.startTransition(phase.name, 'apply', judgedFrom ?? phaseStart);
    else ledger.startPhase(phase.name, judgedFrom ?? phaseStart);
    deps.emit({ type: 'phase-started', atMs: phaseStart, phase: phase.name, plannedMs: phase.durationMs });
    gate?.enter(phase);
    if (withFaults) await this.apply(phase);
    if (gate) await gate.waitForEnd(phaseStart + phase.durationMs, this.halt.signal);
    else await sleep(phaseStart + phase.durationMs - this.now(), this.halt.signal);
    const early = gate?.revertedEarly(phase);
    if (early) {
      // Reverted by command during the phase: its revert transition ends where the revert converged;
      // from there until the next step starts (the facilitator's pause) belongs to no span.
      this.ledger.endPhases(revertConvergedAt(await early) ?? this.now());
      return undefined;
    }
    if (phase.faults.length === 0 || gate?.faultsStopped()) return undefined;
    ledger.startTransition(phase.name, 'revert', this.now());
    const records = await deps.driver.revert(phase);
    this.record.reverted.push(...records);
    return revertConvergedAt(records) ?? this.now();
  }

  private async apply(phase: PlannedPhase): Promise<void> {
    const applyingNow = this.deps.driver.apply(phase, this.halt.signal);
    this.applying = applyingNow;
    try {
      // The driver announces each fault (fault-applied) itself, once; the timeline keeps the records.
      const records = await applyingNow;
      this.record.applied.push(...records);
      // Unless the big red key already started reverting it: then its revert transition runs.
      if (!this.gate?.faultsStopped()) this.ledger.startPhase(phase.name, convergedAt(records) ?? this.now());
    } catch (error) {
      // The big red key stops an apply in flight: what it did apply is reverted, the run goes on.
      if (!this.gate?.faultsStopped()) throw error;
      this.ledger.startPhase(phase.name, this.now());
    }
  }

  /** Every way out: revert everything (after a completed timeline this finds nothing), then stop k6. */
  private async wayOut(monitor: ReturnType<typeof setInterval>): Promise<void> {
    const { deps, record, ledger, k6 } = this;
    const startedRevert = this.now();
    const reason = record.stop.kind === 'completed' ? 'end of run (safety net)' : record.stop.reason;
    const report = await deps.driver.revertAll(reason);
    record.revertAll = { ...report, startedAtMs: startedRevert, finishedAtMs: this.now() };
    // After a completed timeline it reports only what it found to revert (report.reverted also
    // lists the faults the timeline had reverted already): a no-op safety net is not news.
    const revertedNow = report.reverted.filter((r) => r.revertedAtMs >= report.startedAtMs);
    if (record.stop.kind !== 'completed' || revertedNow.length > 0 || report.failures.length > 0) {
      deps.emit({
        type: 'revert-all',
        atMs: startedRevert,
        reason,
        finishedAtMs: this.now(),
        failures: report.failures.map((f) => `${f.faultId}@${f.cluster}: ${f.message}`),
      });
    }
    ledger.endPhases(this.now());
    record.endedAtMs = this.now();
    // Requests in flight at the end finish (bounded by their timeout) and are counted: k6's first
    // signal interrupts in-flight iterations, so it is sent only once they have had their time.
    // A VU writes a record within its batch time (200 ms) unless it is blocked in its next request,
    // which it never is after a slow one (script/chaos-k6.ts): timeout + lag + batch covers them all.
    if (record.stop.kind === 'completed' && !deps.hurry.aborted)
      await sleep(this.plan.load[0]!.timeoutMs + (k6.windowLagMs ?? windowLagMs) + recordBatchMs, deps.hurry).catch(
        () => undefined,
      );
    await stopK6(k6, deps.hurry, record.stop.kind === 'error' ? 'kill' : 'stop');
    clearInterval(monitor);
    try {
      k6.samples.close();
    } catch (error) {
      if (record.stop.kind !== 'error') record.stop = { kind: 'error', reason: errorText(error) };
    }
    for (const window of ledger.closeWindows(record.endedAtMs + this.plan.scenario.windowMs))
      deps.emit({ type: 'window', atMs: this.now(), window });
    const reported = k6.reported?.();
    if (reported) record.seen = { k6: reported.requests, harness: ledger.samples };
    if (deps.rawSamples && record.stop.kind !== 'error') record.rawAudit = this.auditRaw();
    deps.emit({ type: 'k6-ended', atMs: this.now(), end: record.k6End?.kind ?? 'unknown' });
  }

  /** The run judged again from k6's raw output (--raw-samples), verdict by verdict. */
  private auditRaw(): RawAudit | undefined {
    const script = this.plan.load[0]?.script;
    const parse = sampleParser({
      metrics: script?.metrics,
      servedBy: this.deps.servedBy,
      stockHttp: script !== undefined,
    });
    return auditRawSamples(this.ledger, path.join(this.deps.runDir, 'k6-samples.json'), parse);
  }
}
