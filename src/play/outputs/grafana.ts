/**
 * `--grafana URL`: a run's events as Grafana annotations (grafana-annotations.ts says which),
 * posted while the run goes, through Grafana's HTTP API: `POST /api/annotations` (a region has
 * `time` and `timeEnd`), `PATCH /api/annotations/:id` for the run's region at the end, a service
 * account token as `Authorization: Bearer`. The token comes from the environment or a file, is
 * kept in this object only, and is never logged or written.
 *
 * Posts go one after another on a queue per run, so the sink never blocks the run. Posts that
 * fail are counted and logged once, at the run's end (with Grafana's origin only; a game day's
 * screen stays clean); no answer at all, 401 or 403 stop the run's remaining posts (they would
 * fail the same way). Nothing here changes a run's outcome or exit code.
 */
import { pause } from '../../system/sleep.js';
import { originOf, sendJson } from '../../system/http-send.js';
import type { RunPlan } from '../../run/plan/build-plan.js';
import type { RunEvent } from '../../run/record/run-events.js';
import {
  annotationsOf,
  closedRegion,
  endPoint,
  openRegion,
  runTags,
  type Annotation,
  type RunEnd,
  type RunTags,
} from './grafana-annotations.js';
import type { RunOutput } from './run-output.js';

export interface GrafanaTarget {
  /** Grafana's base URL (its root, or the sub-path it is served under). */
  url: string;
  token: string;
  /** Ties every annotation to this dashboard; absent: organization annotations, found by tags. */
  dashboardUid?: string;
  /** Per request (default 5 s). */
  timeoutMs?: number;
  /** How long the end of a run waits for the posts still queued (default 20 s). */
  flushMs?: number;
}

interface Log {
  info(text: string): void;
  warn(text: string): void;
}

const stopsPosting = (status: number | undefined) => status === undefined || status === 401 || status === 403;

/** One run's annotations: a queue of requests, the region's id once Grafana gave it, counts. */
class RunAnnotations {
  readonly tags: RunTags;
  startedAtMs?: number;
  private regionId?: number;
  private queue: Promise<void> = Promise.resolve();
  private posted = 0;
  private failed = 0;
  private firstFailure?: string;
  /** No answer, or the token refused: the remaining posts are not tried. */
  private stopped = false;
  ended = false;

  constructor(
    readonly plan: RunPlan,
    private readonly target: GrafanaTarget,
  ) {
    this.tags = runTags(plan);
  }

  private get endpoint(): string {
    return `${this.target.url.replace(/\/+$/, '')}/api/annotations`;
  }

  private async request(method: 'POST' | 'PATCH', url: string, body: object): Promise<string | undefined> {
    if (this.stopped) {
      this.failed += 1;
      return undefined;
    }
    const headers = { authorization: `Bearer ${this.target.token}`, accept: 'application/json' };
    const answer = await sendJson({ method, url, body, headers, timeoutMs: this.target.timeoutMs ?? 5000 });
    if (answer.ok) {
      this.posted += 1;
      return answer.body;
    }
    this.failed += 1;
    this.firstFailure ??= answer.error;
    if (stopsPosting(answer.status)) this.stopped = true;
    return undefined;
  }

  private withDashboard(annotation: Annotation): object {
    return this.target.dashboardUid ? { dashboardUID: this.target.dashboardUid, ...annotation } : annotation;
  }

  post(annotation: Annotation, then?: (id: number) => void): void {
    this.queue = this.queue.then(async () => {
      const answer = await this.request('POST', this.endpoint, this.withDashboard(annotation));
      const id = answer === undefined ? undefined : idOf(answer);
      if (id !== undefined) then?.(id);
    });
  }

  start(atMs: number): void {
    this.startedAtMs = atMs;
    this.post(openRegion({ plan: this.plan, startedAtMs: atMs }, this.tags), (id) => (this.regionId = id));
  }

  /** The end point, the region to its real end, and a wait (bounded) for the queue; then one log line. */
  async finish(end: RunEnd, log: Log): Promise<void> {
    if (this.ended || this.startedAtMs === undefined) return;
    this.ended = true;
    const span = { plan: this.plan, startedAtMs: this.startedAtMs };
    this.post(endPoint(span, end, this.tags));
    this.queue = this.queue.then(async () => {
      const region = closedRegion(span, end, this.tags);
      // The opening post was lost: the whole region now, if Grafana answers at all.
      if (this.regionId === undefined) await this.request('POST', this.endpoint, this.withDashboard(region));
      else {
        const { timeEnd, text, tags } = region;
        await this.request('PATCH', `${this.endpoint}/${this.regionId}`, { timeEnd, text, tags });
      }
    });
    const waited = new AbortController();
    const flushed = await Promise.race([
      this.queue.then(() => true),
      pause(this.target.flushMs ?? 20_000, waited.signal).then(() => false),
    ]);
    waited.abort();
    const where = originOf(this.target.url);
    if (this.failed === 0 && flushed) return log.info(`grafana: ${this.posted} annotations posted to ${where}`);
    log.warn(
      `chaos: grafana: ${this.failed}${flushed ? '' : '+'} of ${this.posted + this.failed}${flushed ? '' : '+'} annotations not posted to ${where} for run ${this.plan.runId} (the run's outcome is unchanged)` +
        (this.firstFailure ? `; first failure: ${this.firstFailure}` : '') +
        (this.stopped ? '; the rest were not tried (no answer, or the token was refused)' : '') +
        (flushed ? '' : '; gave up waiting for the rest'),
    );
  }
}

export function grafanaOutput(target: GrafanaTarget, log: Log): RunOutput {
  const runs: RunAnnotations[] = [];
  return {
    openRun: (plan) => {
      const run = new RunAnnotations(plan, target);
      runs.push(run);
      return (event: RunEvent) => {
        if (event.type === 'run-started') run.start(event.atMs);
        else for (const annotation of annotationsOf(event, run.tags)) run.post(annotation);
      };
    },
    runConcluded: async ({ result }) => {
      const run = runs.find((candidate) => candidate.plan.runId === result.runId);
      const { status, exitCode, reason } = result.outcome;
      await run?.finish({ endedAtMs: Date.parse(result.endedAt), status, exitCode, reason }, log);
    },
    runBroken: async (broken) => {
      // Runs of one process go one after another: the broken one is the last that has not ended.
      const run = [...runs].reverse().find((candidate) => !candidate.ended);
      await run?.finish(
        { endedAtMs: Date.now(), status: 'error', exitCode: broken.exitCode, reason: broken.message },
        log,
      );
    },
  };
}

function idOf(body: string): number | undefined {
  try {
    const parsed = JSON.parse(body) as { id?: unknown };
    return typeof parsed.id === 'number' ? parsed.id : undefined;
  } catch {
    return undefined;
  }
}
