/**
 * `--prometheus-rw URL`: a run's series pushed by Prometheus remote write while it runs (each
 * window as it closes), then its verdicts and outcome once it is judged; the same series are
 * written to the run folder as OpenMetrics text (docs/metrics.md). Nothing here changes a run: a
 * push that fails is logged, and the file keeps every series for a later backfill.
 */
import path from 'node:path';
import {
  brokenRunSeries,
  endSeries,
  windowSeries,
  SeriesTotals,
  type RunLabels,
} from '../../../report/metrics/run-series.js';
import { openMetricsFileName, writeOpenMetrics } from '../../../report/write-reports.js';
import { originOf } from '../../../system/http-send.js';
import type { RunOutput } from '../run-output.js';
import { pushSamples } from './remote-write.js';
import { SeriesPusher } from './series-pusher.js';

interface OpenRun {
  labels: RunLabels;
  pusher: SeriesPusher;
  totals: SeriesTotals;
  ended: boolean;
}

export function prometheusOutput(
  target: { url: string; chaosVersion: string },
  log: { info(text: string): void; warn(text: string): void },
): RunOutput {
  const runs = new Map<string, OpenRun>();
  const userAgent = `chaos/${target.chaosVersion}`;
  const where = originOf(target.url);
  const report = (run: OpenRun, file?: string) => {
    const { pushed, undelivered } = run.pusher;
    const kept = file ? `; all of them are in ${file}` : '';
    if (undelivered === 0) log.info(`prometheus: ${pushed} samples pushed to ${where}`);
    else
      log.warn(
        `chaos: prometheus: ${undelivered} of ${pushed + undelivered} samples not pushed to ${where} ` +
          `(last error: ${run.pusher.lastError ?? 'none'})${kept}`,
      );
  };
  return {
    openRun: (plan, environment) => {
      const run: OpenRun = {
        labels: { run_id: plan.runId, scenario: plan.scenario.name, environment },
        pusher: new SeriesPusher(target.url, (samples) => pushSamples(target.url, samples, { userAgent }), log.warn),
        totals: new SeriesTotals(),
        ended: false,
      };
      runs.set(plan.runId, run);
      return (event) => {
        if (event.type === 'window') run.pusher.add(windowSeries(run.labels, event.window, run.totals));
      };
    },
    runConcluded: async ({ result }) => {
      const run = runs.get(result.runId);
      if (!run) return;
      run.ended = true;
      let file: string | undefined;
      try {
        file = path.join(result.runDir, openMetricsFileName);
        await writeOpenMetrics(result.runDir);
      } catch (error) {
        file = undefined;
        log.warn(`chaos: prometheus: ${openMetricsFileName} not written: ${String(error)}`);
      }
      run.pusher.add(endSeries(result));
      await run.pusher.flush();
      report(run, file);
      runs.delete(result.runId);
    },
    runBroken: async ({ exitCode }) => {
      // The run that broke is the one opened last and not concluded (runs of a suite go one by one).
      const run = [...runs.values()].reverse().find((candidate) => !candidate.ended);
      if (!run) return;
      run.ended = true;
      run.pusher.add(brokenRunSeries(run.labels, exitCode, Date.now()));
      await run.pusher.flush();
      report(run);
      runs.delete(run.labels.run_id);
    },
  };
}
