/** What a caller gives a run of one scenario, and what it gets back. */
import type { OpenEnvironment } from '../../environment/open-environment.js';
import type { RunResult } from '../../report/build-result.js';
import type { RunPlan } from '../../run/plan/build-plan.js';
import type { RunEvent } from '../../run/record/run-events.js';
import type { RunControl } from '../../run/timeline/run-control.js';
import type { NotifyOn } from '../outputs/notify.js';
import type { Interruption } from '../../system/signals.js';

export interface RunOptions {
  env?: string;
  phase?: string[];
  yes?: boolean;
  quiet?: boolean;
  output: string;
  reports: string;
  /** Set by suites and batches: one JSON document for the whole suite instead of one per scenario. */
  batch?: boolean;
  /** Suites: stop at the first failed scenario / run every scenario (the suite file's onFailure otherwise). */
  failFast?: boolean;
  continueOnFailure?: boolean;
  /** Game day: the full-screen live view with step control (chaos gameday). */
  interactive?: boolean;
  /** Outputs (src/play/outputs/): a chat webhook, and when it is told. */
  notify?: string;
  notifyOn?: NotifyOn;
  /** `--prometheus-rw URL`: the remote-write endpoint the run's series are pushed to. */
  prometheusRw?: string;
  /** Grafana annotations: the base URL (the token is read from the environment or the file). */
  grafana?: string;
  grafanaTokenFile?: string;
  grafanaDashboard?: string;
}

/** What a suite or a game day adds to a scenario's run. */
export interface ScenarioHooks {
  /** An environment the caller opened (a suite keeps one for all its scenarios); left open here. */
  opened?: OpenEnvironment;
  /** Phase durations under --phase (a suite entry's). */
  phaseOverrides?: Record<string, number>;
  /** Game day: the facilitator's commands, and every run event for the live view. */
  control?: RunControl;
  onEvent?: (event: RunEvent, plan: RunPlan) => void;
  /** The caller's signal policy (a suite's, a game day's); default: this run's own. */
  interruption?: Interruption;
  loadSlackSeconds?: number;
  /** Told the run folder as soon as it exists (a run that fails later still has one). */
  onRunDir?: (dir: string) => void;
}

export interface ScenarioRun {
  exitCode: number;
  runDir: string;
  result: RunResult;
  /** Set when result.json was written but the other reports or the index could not be. */
  reportProblem?: string;
}
