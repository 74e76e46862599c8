/**
 * The ledger digests the sample stream: per ingress, fixed windows (for the live view, abort
 * limits and recovery), and per phase × ingress, exact-count statistics for every budget.
 * Phases are cut at the times the runner records (on the mesh's clock: a fault phase starts
 * when its faults converged; the spans before are transitions, judged by no budget); a request
 * belongs to the span in which the script sent it. Memory is bounded: a closed window keeps
 * numbers, not histograms.
 */
import type { LoadSample } from './sample.js';
import type { Budget } from './budget.js';
import { filterKey, matchesTags, matchesValue, measure, type Measurement } from './evaluate.js';
import { judgeBudget, type PhaseStats } from './judge-budget.js';
import { RequestStats, type StatsSummary } from './stats.js';
import { isRequestMetric, type MetricSelector, type Threshold } from './threshold.js';
import { SpanClock, transitionName, type Span } from './spans.js';
import { deliveryOf, type Delivery } from './delivery.js';
import { PhaseWindows } from './phase-windows.js';
import type { WindowStatistics } from './compare.js';

const defaultMinDelivered = 0.95;
/** Trace ids of failed requests a window keeps (the first ones): enough to find them in the mesh, bounded. */
export const maxFailedTraceIds = 10;

type CountedSample = Extract<LoadSample, { kind: 'request' | 'check' | 'metric' }>;

interface Limit {
  selector: MetricSelector;
  threshold: Threshold;
}

export interface WindowSummary extends StatsSummary {
  ingress: string;
  startMs: number;
  endMs: number;
  phase: string;
  /** Abort limits this window breached (empty when none). */
  breaches: Array<{ limit: string; value: number | null }>;
  /** Whether the window met every baseline budget (for time to impact and to recover). */
  withinBaseline: boolean;
  /**
   * Iterations planned in the window (rate × window length); null when no rate is planned. Compare
   * with `iterations` (started in it) and `dropped`, not with `requests`: an iteration may make several.
   */
  planned: number | null;
  /** W3C trace ids of the window's first failed requests (at most `maxFailedTraceIds`); absent when none. */
  failedTraceIds?: string[];
}

export interface Verdict extends Measurement {
  phase: string;
  ingress: string;
  budget: string;
}

export interface LedgerOptions {
  ingresses: readonly string[];
  windowMs: number;
  method: string;
  budgets: readonly Budget[];
  abortLimits: readonly Limit[];
  /** Windows are aligned to this time (the run's start). */
  originMs: number;
  /** Planned requests per second per ingress (delivered load is judged against it); absent: not judged. */
  ratePerSecond?: number;
  /** Share of planned requests a phase must deliver (default 0.95). */
  minDelivered?: number;
}

interface OpenWindow {
  index: number;
  failedTraces?: string[];
  stats: Map<string, RequestStats>;
}

export class Ledger {
  readonly windows: WindowSummary[] = [];
  private readonly clock = new SpanClock<LoadSample>((sample) => this.assign(sample));
  /** The comparison's windows: by send time, inside each phase. */
  private readonly phaseWindows: PhaseWindows;
  private readonly phaseStats = new Map<string, Map<string, RequestStats>>();
  private readonly open = new Map<string, Map<number, OpenWindow>>();
  private readonly closedBefore = new Map<string, number>();
  /** Tag filters windows need (abort limits, baseline budgets), by filter key; '' = every request. */
  private readonly windowFilters: Map<string, MetricSelector>;
  /** Every filter of every budget and limit, by key: looked up per sample, so built once. */
  private readonly filters: Map<string, MetricSelector>;
  lateSamples = 0;
  samples = 0;
  private readonly options: LedgerOptions;

  constructor(given: LedgerOptions) {
    // time_to_impact / time_to_recover are no statistic of samples: judged after the run (run/judge/judge-timing.ts).
    const options = { ...given, budgets: given.budgets.filter((budget) => budget.selector.kind !== 'timing') };
    this.options = options;
    this.phaseWindows = new PhaseWindows(options.windowMs);
    const selectors = [
      ...options.abortLimits.map((limit) => limit.selector),
      ...this.baselineBudgets().map((budget) => budget.selector),
    ];
    this.windowFilters = new Map(selectors.map((selector) => [filterKey(selector), selector]));
    this.windowFilters.set('', { source: '', metric: 'http_reqs', kind: 'counter', tags: {} });
    this.filters = new Map([
      ...options.budgets.map((budget) => [filterKey(budget.selector), budget.selector] as const),
      ...this.windowFilters,
    ]);
  }

  /** A judged phase starts (ending the span before it, at `atMs`, which may be in the past). */
  startPhase(name: string, atMs: number): void {
    this.clock.open({ name, kind: 'phase', startMs: atMs });
  }

  /** A transition starts: a phase's faults are being applied or reverted, not yet converged. */
  startTransition(phase: string, stage: 'apply' | 'revert', atMs: number): void {
    this.clock.open({ name: transitionName(phase, stage), kind: 'transition', phase, stage, startMs: atMs });
  }

  endPhases(atMs: number): void {
    this.clock.close(atMs);
  }

  phaseAt(timeMs: number): string | undefined {
    return this.clock.at(timeMs)?.name;
  }

  add(sample: LoadSample): void {
    // Windows are by end time: that is when the outcome is known, and when abort limits can act.
    if (sample.kind === 'request') this.samples += 1;
    if (sample.kind === 'dropped' || sample.kind === 'iteration') this.addCountToWindow(sample);
    else this.addToWindow(sample);
    if (!this.clock.hold(sample)) this.assign(sample);
  }

  /**
   * A request belongs to the span the script sent it in, so a request slowed by a fault counts
   * for the fault phase even if it ends after the revert, and a refused connection (0 ms) in the
   * phase it was tried in.
   */
  private assign(sample: LoadSample): void {
    const span = this.clock.at(sample.kind === 'request' ? sample.sentMs : sample.timeMs);
    if (!span) return;
    const phase = span.name;
    if (sample.kind === 'dropped') this.statsFor(phase, sample.ingress, '').addDropped(sample.count);
    else if (sample.kind === 'iteration') this.statsFor(phase, sample.ingress, '').addIterations(sample.count);
    else this.count(this.phaseStatsFor(phase, sample.ingress), this.filters, sample);
    if (sample.kind === 'request' && sample.reached && span.kind === 'phase')
      this.phaseWindows.add(phase, sample.ingress, span.startMs, sample.sentMs, sample.durationMs);
  }

  /** The comparison's windows of one phase × ingress: each one's median and p95 (phase-windows.ts). */
  windowStatistics(phase: Span, ingress: string): WindowStatistics {
    return this.phaseWindows.statistics(phase, ingress);
  }

  /** Add a sample to every statistic whose filter it passes; '' (every request) takes requests only. */
  private count(stats: Map<string, RequestStats>, filters: Map<string, MetricSelector>, sample: CountedSample): void {
    for (const [key, target] of stats) {
      if (sample.kind === 'request') {
        if (key === '') target.add(sample);
        else {
          const selector = filters.get(key)!;
          const reached = selector.tags.reached;
          if (isRequestMetric(selector.metric) && matchesTags(selector, sample, this.options.method))
            target.add(sample, sample.reached || reached === 'false' || reached === 'any');
        }
      } else if (key !== '') {
        const selector = filters.get(key)!;
        if (!isRequestMetric(selector.metric) && matchesValue(selector, sample))
          target.addValue(sample.kind === 'check' ? (sample.passed ? 1 : 0) : sample.value);
      }
    }
  }

  /** Close every window of every ingress that ends at or before `untilMs`; returns them in order. */
  closeWindows(untilMs: number): WindowSummary[] {
    const closed: WindowSummary[] = [];
    for (const ingress of this.options.ingresses) {
      const lastIndex = Math.floor((untilMs - this.options.originMs) / this.options.windowMs) - 1;
      const from = this.closedBefore.get(ingress) ?? 0;
      for (let index = from; index <= lastIndex; index += 1) closed.push(this.closeWindow(ingress, index));
      if (lastIndex + 1 > from) this.closedBefore.set(ingress, lastIndex + 1);
    }
    closed.sort((a, b) => a.startMs - b.startMs || a.ingress.localeCompare(b.ingress));
    this.windows.push(...closed);
    return closed;
  }

  /**
   * Verdicts per budget × phase × ingress (judge-budget.ts): no samples is no data, too few for a
   * percentile is inconclusive, and a relative budget is judged against the first phase (the baseline).
   */
  verdicts(): Verdict[] {
    const verdicts: Verdict[] = [];
    const phases = this.phaseList();
    const baseline = phases[0];
    for (const phase of phases) {
      for (const budget of this.options.budgets) {
        if (budget.phase !== 'all' && budget.phase !== phase.name) continue;
        for (const ingress of this.scopeOf(budget.selector)) {
          const measurement = judgeBudget(
            budget.selector,
            budget.threshold,
            this.statsOfPhase(phase, ingress, budget.selector),
            baseline && this.statsOfPhase(baseline, ingress, budget.selector),
          );
          verdicts.push({
            phase: phase.name,
            ingress,
            budget: `${budget.selector.source}: ${budget.threshold.source}`,
            ...measurement,
          });
        }
      }
    }
    return verdicts;
  }

  /** The statistics of one phase × ingress for one selector's samples (empty when none arrived). */
  statsOfPhase(
    phase: { name: string; startMs: number; endMs?: number },
    ingress: string,
    selector?: MetricSelector,
  ): PhaseStats {
    const key = selector ? filterKey(selector) : '';
    const stats = this.phaseStats.get(`${phase.name}|${ingress}`)?.get(key) ?? new RequestStats();
    return { phase: phase.name, stats, durationMs: (phase.endMs ?? phase.startMs) - phase.startMs };
  }

  phaseSummaries(): Array<{ phase: string; ingress: string; startMs: number; endMs: number; stats: StatsSummary }> {
    return this.spanSummaries(this.phaseList());
  }

  /** Like phaseSummaries, for the transitions (apply and revert spans). */
  transitionSummaries(): Array<{
    phase: string;
    ingress: string;
    startMs: number;
    endMs: number;
    stats: StatsSummary;
  }> {
    return this.spanSummaries(this.transitionList());
  }

  /** Planned, sent and dropped per judged phase × ingress (empty when no rate is planned). */
  delivery(): Delivery[] {
    const rate = this.options.ratePerSecond;
    if (rate === undefined) return [];
    return this.phaseSummaries().map((entry) =>
      deliveryOf(entry, rate, this.options.minDelivered ?? defaultMinDelivered),
    );
  }

  private spanSummaries(spans: readonly Span[]) {
    return spans.flatMap((phase) =>
      this.options.ingresses.map((ingress) => ({
        phase: phase.name,
        ingress,
        startMs: phase.startMs,
        endMs: phase.endMs ?? phase.startMs,
        stats: (this.phaseStats.get(`${phase.name}|${ingress}`)?.get('') ?? new RequestStats()).summary(),
      })),
    );
  }

  /**
   * A fresh ledger with the same options and this one's spans, all closed: what another stream of
   * the same run (k6's raw output, --raw-samples) is judged with, sample by sample, to compare.
   */
  replica(): Ledger {
    const copy = new Ledger(this.options);
    for (const span of this.clock.spans) {
      if (span.kind === 'transition')
        copy.startTransition(span.phase ?? span.name, span.stage ?? 'apply', span.startMs);
      else copy.startPhase(span.name, span.startMs);
      if (span.endMs !== undefined) copy.endPhases(span.endMs);
    }
    return copy;
  }

  /** The judged phases, in order. */
  phaseList(): readonly Span[] {
    return this.clock.spans.filter((span) => span.kind === 'phase');
  }

  /** The transitions (a fault's API call until it converged, both ways), in order. */
  transitionList(): readonly Span[] {
    return this.clock.spans.filter((span) => span.kind === 'transition');
  }

  private baselineBudgets(): Budget[] {
    return this.options.budgets.filter((budget) => budget.phase === 'baseline' || budget.phase === 'all');
  }

  private scopeOf(selector: MetricSelector): readonly string[] {
    return selector.tags.ingress !== undefined ? [selector.tags.ingress] : this.options.ingresses;
  }

  private phaseStatsFor(phase: string, ingress: string): Map<string, RequestStats> {
    const id = `${phase}|${ingress}`;
    let map = this.phaseStats.get(id);
    if (!map) {
      map = new Map([['', new RequestStats()]]);
      // The first phase also keeps the samples of relative budgets: they are judged against it.
      const first = this.phaseList()[0]?.name === phase;
      for (const budget of this.options.budgets) {
        if (budget.phase !== 'all' && budget.phase !== phase && !(first && budget.threshold.relative)) continue;
        const key = filterKey(budget.selector);
        if (!map.has(key)) map.set(key, new RequestStats());
      }
      this.phaseStats.set(id, map);
    }
    return map;
  }

  private statsFor(phase: string, ingress: string, key: string): RequestStats {
    return this.phaseStatsFor(phase, ingress).get(key)!;
  }

  /** Dropped and started iterations count in the window of their time (k6's, or the iteration's start). */
  private addCountToWindow(sample: Extract<LoadSample, { kind: 'dropped' | 'iteration' }>): void {
    const index = Math.floor((sample.timeMs - this.options.originMs) / this.options.windowMs);
    if (index < (this.closedBefore.get(sample.ingress) ?? 0)) return;
    const stats = this.openWindow(sample.ingress, index).stats.get('')!;
    if (sample.kind === 'dropped') stats.addDropped(sample.count);
    else stats.addIterations(sample.count);
  }

  private openWindow(ingress: string, index: number): OpenWindow {
    let byIndex = this.open.get(ingress);
    if (!byIndex) this.open.set(ingress, (byIndex = new Map()));
    let window = byIndex.get(index);
    if (!window)
      byIndex.set(
        index,
        (window = { index, stats: new Map([...this.windowFilters.keys()].map((key) => [key, new RequestStats()])) }),
      );
    return window;
  }

  private addToWindow(sample: CountedSample): void {
    const index = Math.floor((sample.timeMs - this.options.originMs) / this.options.windowMs);
    if (index < (this.closedBefore.get(sample.ingress) ?? 0)) {
      this.lateSamples += 1;
      return;
    }
    const window = this.openWindow(sample.ingress, index);
    this.count(window.stats, this.windowFilters, sample);
    if (sample.kind === 'request' && sample.failed && sample.traceId) {
      window.failedTraces ??= [];
      if (window.failedTraces.length < maxFailedTraceIds) window.failedTraces.push(sample.traceId);
    }
  }

  private closeWindow(ingress: string, index: number): WindowSummary {
    const startMs = this.options.originMs + index * this.options.windowMs;
    const window = this.open.get(ingress)?.get(index);
    this.open.get(ingress)?.delete(index);
    const stats = window?.stats ?? new Map([['', new RequestStats()]]);
    const main = stats.get('')!;
    const judge = (selector: MetricSelector, threshold: Threshold) =>
      measure(selector, threshold, stats.get(filterKey(selector)) ?? main, this.options.windowMs);
    const inScope = (selector: MetricSelector) =>
      selector.tags.ingress === undefined || selector.tags.ingress === ingress;
    const breaches = this.options.abortLimits
      .filter((limit) => inScope(limit.selector))
      .map((limit) => ({
        limit: `${limit.selector.source}: ${limit.threshold.source}`,
        measurement: judge(limit.selector, limit.threshold),
      }))
      // An empty window breaches no abort limit: no traffic is judged by budgets, not by limits.
      .filter(({ measurement }) => measurement.value !== null && !measurement.pass)
      .map(({ limit, measurement }) => ({ limit, value: measurement.value }));
    const withinBaseline =
      main.requests > 0 &&
      this.baselineBudgets()
        .filter((budget) => inScope(budget.selector))
        .every((budget) => judge(budget.selector, budget.threshold).pass);
    const summary: WindowSummary = {
      ingress,
      startMs,
      // Labelled by the phase its start falls in: the same whatever order samples arrived in.
      endMs: startMs + this.options.windowMs,
      phase: this.phaseAt(startMs) ?? 'outside',
      ...main.summary(),
      breaches,
      withinBaseline,
      planned:
        this.options.ratePerSecond === undefined ? null : (this.options.ratePerSecond * this.options.windowMs) / 1000,
      ...(window?.failedTraces ? { failedTraceIds: window.failedTraces } : {}),
    };
    for (const s of stats.values()) s.destroy();
    return summary;
  }
}
