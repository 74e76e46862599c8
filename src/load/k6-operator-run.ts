/**
 * Distributed load with k6's interface (K6Run): create the script's ConfigMap and a k6-operator
 * TestRun, follow the log of every runner Pod as it appears (each line is a k6 JSON sample,
 * stamped by the kubelet), and hand the samples of all runners to one ledger — so windows and
 * verdicts are judged over all runners together, never per runner as k6-operator would.
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
import { LineSplitter, parseSampleLine } from './samples.js';
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
  lastStamp?: string;
  follow?: LogFollow;
  reconnects: number;
  done: boolean;
}

export function startK6OperatorRun(
  options: OperatorRunOptions,
): K6Run & { firstSampleTimeoutMs: number; windowLagMs: number } {
  const { api, load } = options;
  const namespace = load.namespace;
  const name = load.testRun.metadata.name;
  const queue: LoadSample[] = [];
  const runners = new Map<string, Runner>();
  let chars = 0;
  let stopRequested = false;
  let finished = false;
  let resolveEnded: (value: { end: K6End; result: ProcessResult }) => void = () => undefined;
  const ended = new Promise<{ end: K6End; result: ProcessResult }>((resolve) => {
    resolveEnded = resolve;
  });
  const wake = new AbortController();

  const onLine = (runner: Runner) => (line: string) => {
    const { stamp, text } = splitTimestamp(line);
    if (stamp && runner.lastStamp && compareStamps(stamp, runner.lastStamp) <= 0) return; // seen before a reconnect
    if (stamp) runner.lastStamp = stamp;
    const sample = parseSampleLine(text);
    if (sample) queue.push(sample);
    else if (text.trim() && !text.startsWith('{')) options.onLog?.(`${runner.pod}: ${text}`);
  };

  const follow = async (runner: Runner) => {
    const splitter = new LineSplitter();
    const handle = onLine(runner);
    const followed = await api.followLog(
      namespace,
      runner.pod,
      runnerContainer,
      runner.lastStamp?.replace(/\.\d+Z$/, 'Z'),
      (text) => {
        chars += text.length;
        splitter.push(text, handle);
      },
    );
    runner.follow = followed;
    void followed.ended.then(() => {
      splitter.flush(handle);
      runner.follow = undefined;
    });
  };

  const end = (kind: K6End, message = '') => {
    if (finished) return;
    finished = true;
    wake.abort();
    resolveEnded({
      end: kind,
      result: {
        command: `k6-operator TestRun ${namespace}/${name}`,
        exitCode: kind.kind === 'completed' ? 0 : null,
        signal: null,
        stdout: '',
        stderr: message,
      },
    });
  };

  const watch = async () => {
    const deadline = Date.now() + options.lifetimeMs;
    // Bounded: ends when the runners end, on stop, on error, or at the TestRun's lifetime.
    while (!finished && !stopRequested && Date.now() < deadline) {
      const stage = (await api.readTestRun(namespace, name)).status?.stage;
      if (stage === 'error')
        return end({
          kind: 'crashed',
          exitCode: null,
          signal: null,
          message: `TestRun ${namespace}/${name} reports stage "error" (see the initializer and runner Pods' logs)`,
        });
      for (const pod of await api.listPods(namespace, runnerSelector(name))) {
        const podName = pod.metadata?.name;
        const phase = pod.status?.phase;
        if (!podName || phase === 'Pending' || phase === undefined) continue;
        let runner = runners.get(podName);
        if (!runner) runners.set(podName, (runner = { pod: podName, reconnects: 0, done: false }));
        if (runner.follow || runner.done) continue;
        if (phase !== 'Running')
          runner.done = true; // one last read of an ended Pod's whole log
        else if ((runner.reconnects += 1) > maxReconnects) continue;
        await follow(runner);
      }
      const all = [...runners.values()];
      if (stage === 'finished' && all.length > 0 && all.every((r) => r.done && !r.follow))
        return end({ kind: 'completed' });
      await pause(options.pollMs ?? 2_000, wake.signal);
    }
  };

  const cleanUp = async (waitForRunners: boolean) => {
    await api
      .deleteTestRun(namespace, name)
      .catch((error: Error) => options.onLog?.(`deleting TestRun ${namespace}/${name}: ${error.message}`));
    const following = [...runners.values()].map((r) => r.follow).filter((f): f is LogFollow => f !== undefined);
    if (waitForRunners)
      await Promise.race([Promise.all(following.map((f) => f.ended)), pause(stopWaitMs, undefined, { ref: false })]);
    for (const f of following) f.stop();
    await api
      .deleteConfigMap(namespace, load.configMap.metadata.name)
      .catch((error: Error) =>
        options.onLog?.(`deleting ConfigMap ${namespace}/${load.configMap.metadata.name}: ${error.message}`),
      );
  };

  const started = (async () => {
    await api.createConfigMap(namespace, load.configMap);
    await api.createTestRun(namespace, load.testRun);
    await watch();
  })().catch((error: Error) =>
    end({ kind: 'crashed', exitCode: null, signal: null, message: `distributed load failed: ${error.message}` }),
  );

  const stopWith = (waitForRunners: boolean) => {
    if (stopRequested) return;
    stopRequested = true;
    wake.abort();
    void started.then(() => cleanUp(waitForRunners)).then(() => end({ kind: 'stopped' }));
  };

  const drain = () => {
    const count = queue.length;
    for (const sample of queue.splice(0)) options.onSample(sample);
    return count;
  };

  return {
    pid: undefined,
    firstSampleTimeoutMs,
    windowLagMs,
    samples: { poll: drain, close: drain, bytesRead: () => chars },
    stop: () => stopWith(true),
    kill: () => stopWith(false),
    ended,
  };
}
