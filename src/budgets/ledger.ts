/**
 * The ledger digests the sample stream: per ingress, fixed windows (for the live view, abort
 * limits and recovery), and per phase × ingress, exact-count statistics for every budget.
 * Phases are cut at the times the runner records; a request belongs to the phase in which it
 * was sent (k6 stamps the end time; the start is end - duration). Memory is bounded: a closed window keeps numbers, not
 * histograms.
 */
import type { LoadSample } from './sample.js';
import type { Budget } from './budget.js';
import { filterKey, matchesTags, matchesValue, measure, type Measurement } from './evaluate.js';
import { judgeBudget, type PhaseStats } from './judge-budget.js';
import { RequestStats, type StatsSummary } from './stats.js';
import { isRequestMetric, type MetricSelector, type Threshold } from './threshold.js';

type CountedSample = Extract<LoadSample, { kind: 'request' | 'check' | 'metric' }>;

export interface Limit {
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
}

interface OpenWindow {
  index: number;
  stats: Map<string, RequestStats>;
}

export class Ledger {
  readonly windows: WindowSummary[] = [];
  private readonly phases: Array<{ name: string; startMs: number; endMs?: number }> = [];
  private readonly phaseStats = new Map<string, Map<string, RequestStats>>();
  private readonly open = new Map<string, Map<number, OpenWindow>>();
  private readonly closedBefore = new Map<string, number>();
  /** Tag filters windows need (abort limits, baseline budgets), by filter key; '' = every request. */
  private readonly windowFilters: Map<string, MetricSelector>;
  /** Every filter of every budget and limit, by key: looked up per sample, so built once. */
  private readonly filters: Map<string, MetricSelector>;
  lateSamples = 0;
  samples = 0;

  constructor(private readonly options: LedgerOptions) {
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

  startPhase(name: string, atMs: number): void {
    const current = this.phases[this.phases.length - 1];
    if (current && current.endMs === undefined) current.endMs = atMs;
    this.phases.push({ name, startMs: atMs });
  }

  endPhases(atMs: number): void {
    const current = this.phases[this.phases.length - 1];
    if (current && current.endMs === undefined) current.endMs = atMs;
  }

  phaseAt(timeMs: number): string | undefined {
    for (let i = this.phases.length - 1; i >= 0; i -= 1) {
      const phase = this.phases[i]!;
      if (timeMs >= phase.startMs) return phase.endMs === undefined || timeMs < phase.endMs ? phase.name : undefined;
    }
    return undefined;
  }

  add(sample: LoadSample): void {
    // A request belongs to the phase it was sent in (k6 stamps its end: start = end - duration),
    // so a request slowed by a fault counts for the fault phase even if it ends after the revert.
    // Windows stay by end time: that is when the outcome is known, and when abort limits can act.
    const phase = this.phaseAt(sample.kind === 'request' ? sample.timeMs - sample.durationMs : sample.timeMs);
    if (sample.kind === 'dropped') {
      if (phase) this.statsFor(phase, sample.ingress, '').addDropped(sample.count);
      return;
    }
    if (sample.kind === 'request') this.samples += 1;
    if (phase) this.count(this.phaseStatsFor(phase, sample.ingress), this.filters, sample);
    this.addToWindow(sample);
  }

  /** Add a sample to every statistic whose filter it passes; '' (every request) takes requests only. */
  private count(stats: Map<string, RequestStats>, filters: Map<string, MetricSelector>, sample: CountedSample): void {
    for (const [key, target] of stats) {
      if (sample.kind === 'request') {
        if (key === '') target.add(sample);
        else {
          const selector = filters.get(key)!;
          if (isRequestMetric(selector.metric) && matchesTags(selector, sample, this.options.method))
            target.add(sample);
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
    const baseline = this.phases[0];
    for (const phase of this.phases) {
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
    return this.phases.flatMap((phase) =>
      this.options.ingresses.map((ingress) => ({
        phase: phase.name,
        ingress,
        startMs: phase.startMs,
        endMs: phase.endMs ?? phase.startMs,
        stats: (this.phaseStats.get(`${phase.name}|${ingress}`)?.get('') ?? new RequestStats()).summary(),
      })),
    );
  }

  phaseList(): ReadonlyArray<{ name: string; startMs: number; endMs?: number }> {
    return this.phases;
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
      const first = this.phases[0]?.name === phase;
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

  private addToWindow(sample: CountedSample): void {
    const index = Math.floor((sample.timeMs - this.options.originMs) / this.options.windowMs);
    if (index < (this.closedBefore.get(sample.ingress) ?? 0)) {
      this.lateSamples += 1;
      return;
    }
    let byIndex = this.open.get(sample.ingress);
    if (!byIndex) this.open.set(sample.ingress, (byIndex = new Map()));
    let window = byIndex.get(index);
    if (!window)
      byIndex.set(
        index,
        (window = { index, stats: new Map([...this.windowFilters.keys()].map((key) => [key, new RequestStats()])) }),
      );
    this.count(window.stats, this.windowFilters, sample);
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
    };
    for (const s of stats.values()) s.destroy();
    return summary;
  }
}
