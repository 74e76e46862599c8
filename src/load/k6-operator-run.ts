/**
 * Distributed load with k6's interface (K6Run): create the script's ConfigMap and a k6-operator
 * TestRun, follow the log of every runner Pod as it appears (the VUs' compact records,
 * script/recorder.ts, each line stamped by the kubelet), and hand the samples of all runners to
 * one ledger — so windows and verdicts are judged over all runners together, never per runner
 * as k6-operator would.
 * Stopping deletes the TestRun (k6-operator's cleanup stops the runners) and the ConfigMap.
 */
import type { K6OperatorCalls, LogFollow } from '../kube/k6-operator-calls.js';
import type { K6End, K6Run } from './k6-run.js';
import {
  compareStamps,
  runnerContainer,
  runnerSelector,
  splitTimestamp,
  type DistributedLoad,
} from './k6-operator-testrun.js';
import type { LoadSample } from '../budgets/sample.js';
import { LineSplitter } from './samples.js';
import { RecordReader } from './records.js';
import type { ProcessResult } from './spawn.js';
import { pause } from '../system/sleep.js';

export interface OperatorRunOptions {
  api: K6OperatorCalls;
  load: DistributedLoad;
  onSample: (sample: LoadSample) => void;
  onLog?: (line: string) => void;
  /** How often the TestRun and its runner Pods are looked at (default 2 s). */
  pollMs?: number;
  /** The longest the TestRun may live, from the load config's duration (a bound, never reached normally). */
  lifetimeMs: number;
  /** The load config's epochMs: record times are milliseconds after it. */
  epochMs: number;
  /** Maps a raw served-by value (`addr:<ip:port>` from the mesh) to a cluster. */
  servedBy?: (raw: string) => string;
}

/** Image pulls, the initializer Job and the starter come before the first request. */
const firstSampleTimeoutMs = 5 * 60_000;
/** Samples cross a kubelet and the API server: windows wait longer before closing. */
const windowLagMs = 5_000;
/** A broken log stream of a running Pod is followed again, at most this many times. */
const maxReconnects = 20;
const stopWaitMs = 60_000;

interface Runner {
  pod: string;
  /** This runner's records (VU keys are per runner). */
  reader?: RecordReader;
  lastStamp?: string;
  follow?: LogFollow;
  reconnects: number;
  done: boolean;
}

export function startK6OperatorRun(
  options: OperatorRunOptions,
): K6Run & { firstSampleTimeoutMs: number; windowLagMs: number } {
  const run = new OperatorRun(options);
  const drain = () => run.drain();
  return {
    pid: undefined,
    firstSampleTimeoutMs,
    windowLagMs,
    samples: { poll: drain, close: drain, bytesRead: () => run.chars },
    stop: () => run.stop(true),
    kill: () => run.stop(false),
    ended: run.ended,
  };
}

type Ended = { end: K6End; result: ProcessResult };

/** One TestRun from creation to cleanup: its runners' logs become samples. */
class OperatorRun {
  chars = 0;
  readonly ended: Promise<Ended>;
  private readonly namespace: string;
  private readonly name: string;
  private readonly queue: LoadSample[] = [];
  private readonly runners = new Map<string, Runner>();
  private readonly wake = new AbortController();
  private stopRequested = false;
  private finished = false;
  private resolveEnded: (value: Ended) => void = () => undefined;
  private readonly started: Promise<void>;

  constructor(private readonly options: OperatorRunOptions) {
    this.namespace = options.load.namespace;
    this.name = options.load.testRun.metadata.name;
    this.ended = new Promise<Ended>((resolve) => {
      this.resolveEnded = resolve;
    });
    this.started = this.start().catch((error: Error) =>
      this.end({ kind: 'crashed', exitCode: null, signal: null, message: `distributed load failed: ${error.message}` }),
    );
  }

  drain(): number {
    const count = this.queue.length;
    for (const sample of this.queue.splice(0)) this.options.onSample(sample);
    return count;
  }

  stop(waitForRunners: boolean): void {
    if (this.stopRequested) return;
    this.stopRequested = true;
    this.wake.abort();
    void this.started.then(() => this.cleanUp(waitForRunners)).then(() => this.end({ kind: 'stopped' }));
  }

  private async start(): Promise<void> {
    const { api, load } = this.options;
    await api.createConfigMap(this.namespace, load.configMap);
    await api.createTestRun(this.namespace, load.testRun);
    await this.watch();
  }

  /** Bounded: ends when the runners end, on stop, on error, or at the TestRun's lifetime. */
  private async watch(): Promise<void> {
    const deadline = Date.now() + this.options.lifetimeMs;
    while (!this.finished && !this.stopRequested && Date.now() < deadline) {
      const stage = (await this.options.api.readTestRun(this.namespace, this.name)).status?.stage;
      if (stage === 'error')
        return this.end({
          kind: 'crashed',
          exitCode: null,
          signal: null,
          message: `TestRun ${this.namespace}/${this.name} reports stage "error" (see the initializer and runner Pods' logs)`,
        });
      await this.followRunners();
      const all = [...this.runners.values()];
      if (stage === 'finished' && all.length > 0 && all.every((r) => r.done && !r.follow))
        return this.end({ kind: 'completed' });
      await pause(this.options.pollMs ?? 2_000, this.wake.signal);
    }
  }

  /** Every runner Pod past Pending is followed; an ended Pod's whole log is read one last time. */
  private async followRunners(): Promise<void> {
    for (const pod of await this.options.api.listPods(this.namespace, runnerSelector(this.name))) {
      const podName = pod.metadata?.name;
      const phase = pod.status?.phase;
      if (!podName || phase === 'Pending' || phase === undefined) continue;
      let runner = this.runners.get(podName);
      if (!runner) this.runners.set(podName, (runner = { pod: podName, reconnects: 0, done: false }));
      if (runner.follow || runner.done) continue;
      if (phase !== 'Running') runner.done = true;
      else if ((runner.reconnects += 1) > maxReconnects) continue;
      await this.follow(runner);
    }
  }

  private async follow(runner: Runner): Promise<void> {
    const splitter = new LineSplitter();
    const handle = (line: string) => this.onLine(runner, line);
    const followed = await this.options.api.followLog(
      this.namespace,
      runner.pod,
      runnerContainer,
      runner.lastStamp?.replace(/\.\d+Z$/, 'Z'),
      (text) => {
        this.chars += text.length;
        splitter.push(text, handle);
      },
    );
    runner.follow = followed;
    void followed.ended.then(() => {
      splitter.flush(handle);
      runner.follow = undefined;
    });
  }

  private onLine(runner: Runner, line: string): void {
    const { stamp, text } = splitTimestamp(line);
    if (stamp && runner.lastStamp && compareStamps(stamp, runner.lastStamp) <= 0) return; // seen before a reconnect
    if (stamp) runner.lastStamp = stamp;
    // With --raw-samples k6's JSON points share the log: the records are what is judged.
    if (text.startsWith('{')) return;
    runner.reader ??= new RecordReader({
      epochMs: this.options.epochMs,
      servedBy: this.options.servedBy,
      onSample: (sample) => this.queue.push(sample),
      onLog: (own) => this.options.onLog?.(`${runner.pod}: ${own}`),
    });
    runner.reader.line(text);
  }

  private end(kind: K6End, message = ''): void {
    if (this.finished) return;
    this.finished = true;
    this.wake.abort();
    this.resolveEnded({
      end: kind,
      result: {
        command: `k6-operator TestRun ${this.namespace}/${this.name}`,
        exitCode: kind.kind === 'completed' ? 0 : null,
        signal: null,
        stdout: '',
        stderr: message,
      },
    });
  }

  private async cleanUp(waitForRunners: boolean): Promise<void> {
    const { api, load, onLog } = this.options;
    const where = `${this.namespace}/${this.name}`;
    await api
      .deleteTestRun(this.namespace, this.name)
      .catch((error: Error) => onLog?.(`deleting TestRun ${where}: ${error.message}`));
    const following = [...this.runners.values()].map((r) => r.follow).filter((f): f is LogFollow => f !== undefined);
    if (waitForRunners)
      await Promise.race([Promise.all(following.map((f) => f.ended)), pause(stopWaitMs, undefined, { ref: false })]);
    for (const f of following) f.stop();
    const configMap = load.configMap.metadata.name;
    await api
      .deleteConfigMap(this.namespace, configMap)
      .catch((error: Error) => onLog?.(`deleting ConfigMap ${this.namespace}/${configMap}: ${error.message}`));
  }
}
