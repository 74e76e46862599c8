/**
 * A stand-in for a cluster running k6-operator, for tests: the calls of K6OperatorCalls kept in
 * memory, and for each TestRun `parallelism` REAL k6 processes started exactly as k6-operator
 * starts its runners (`k6 run --quiet <execution segment> <arguments> <script> --address …
 * --tag instance_id=<i> --tag testrun_name=<name>`), with the ConfigMap's files where the
 * runner would have them mounted. Each process's stdout (and stderr) is the Pod's log, stamped
 * like the kubelet stamps it. Traffic goes where the load config says: tests use loopback only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { K6OperatorCalls, LogFollow, TestRunState } from '../../src/kube/k6-operator-calls.js';
import {
  operatorScriptDir,
  runnerContainer,
  type ConfigMapObject,
  type TestRunObject,
} from '../../src/load/k6-operator-testrun.js';
import type { Pod } from '../../src/kube/types.js';

interface LogLine {
  stamp: string;
  text: string;
}

interface FakePod {
  name: string;
  labels: Record<string, string>;
  process: ChildProcess;
  phase: 'Running' | 'Succeeded' | 'Failed';
  lines: LogLine[];
  listeners: Set<(line: LogLine) => void>;
  closers: Set<() => void>;
  exited: Promise<void>;
}

export interface FakeOperatorCluster extends K6OperatorCalls {
  configMaps: Map<string, ConfigMapObject>;
  testRuns: Map<string, TestRunObject & { status?: { stage: string } }>;
  pods: FakePod[];
  /** Argv of every runner started, as k6-operator would build it. */
  runnerArgv: string[][];
  /** Close the first live log stream of this Pod after `lines` lines (an API server closing a watch). */
  breakStreamAfter(podIndex: number, lines: number): void;
  stopAll(): Promise<void>;
}

/** k6-operator's segments for runner i of n (pkg/segmentation). */
function segmentArgs(index: number, total: number): string[] {
  if (total <= 1) return [];
  const at = (i: number) => (i === 0 ? '0' : i === total ? '1' : `${i}/${total}`);
  const sequence = Array.from({ length: total + 1 }, (_, i) => at(i)).join(',');
  return [`--execution-segment=${at(index)}:${at(index + 1)}`, `--execution-segment-sequence=${sequence}`];
}

/** Nanosecond RFC 3339, strictly increasing per Pod, like the kubelet's CRI log times. */
function stamper(): () => string {
  let last = 0n;
  return () => {
    let ns = BigInt(Date.now()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n);
    if (ns <= last) ns = last + 1n;
    last = ns;
    const seconds = new Date(Number(ns / 1_000_000_000n) * 1000).toISOString().replace(/\.000Z$/, '');
    return `${seconds}.${(ns % 1_000_000_000n).toString().padStart(9, '0')}Z`;
  };
}

export function startFakeOperatorCluster(options: { k6: string; dir: string }): FakeOperatorCluster {
  const configMaps = new Map<string, ConfigMapObject>();
  const testRuns = new Map<string, TestRunObject & { status?: { stage: string } }>();
  const pods: FakePod[] = [];
  const runnerArgv: string[][] = [];
  const breaks = new Map<number, number>();

  const startRunners = (run: TestRunObject) => {
    const mapped = configMaps.get(run.spec.script.configMap.name);
    if (!mapped) throw new Error(`ConfigMap ${run.spec.script.configMap.name} missing`);
    const mount = path.join(options.dir, run.metadata.name);
    mkdirSync(mount, { recursive: true });
    for (const [file, text] of Object.entries(mapped.data)) writeFileSync(path.join(mount, file), text);
    const local = (value: string) => value.split(`${operatorScriptDir}/`).join(`${mount}/`);
    const env = Object.fromEntries(run.spec.runner.env.map((entry) => [entry.name, local(entry.value)]));
    for (let i = 0; i < run.spec.parallelism; i += 1) {
      const argv = [
        'run',
        '--quiet',
        ...segmentArgs(i, run.spec.parallelism),
        ...run.spec.arguments.split(/\s+/).filter(Boolean),
        `${operatorScriptDir}/${run.spec.script.configMap.file}`,
        '--address=127.0.0.1:0',
        '--tag',
        `instance_id=${i + 1}`,
        '--tag',
        `testrun_name=${run.metadata.name}`,
      ];
      runnerArgv.push(argv);
      const child = spawn(options.k6, argv.map(local), {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const stamp = stamper();
      const pod: FakePod = {
        name: `${run.metadata.name}-${i + 1}-x${i}`,
        labels: { app: 'k6', k6_cr: run.metadata.name, runner: 'true' },
        process: child,
        phase: 'Running',
        lines: [],
        listeners: new Set(),
        closers: new Set(),
        exited: new Promise((resolve) =>
          child.on('close', (code) => {
            pod.phase = code === 0 ? 'Succeeded' : 'Failed';
            for (const close of pod.closers) close();
            resolve();
          }),
        ),
      };
      for (const stream of [child.stdout, child.stderr]) {
        let partial = '';
        stream?.on('data', (chunk: Buffer) => {
          const parts = (partial + chunk.toString('utf8')).split('\n');
          partial = parts.pop() ?? '';
          for (const text of parts) {
            const line = { stamp: stamp(), text };
            pod.lines.push(line);
            for (const listener of pod.listeners) listener(line);
          }
        });
      }
      pods.push(pod);
    }
    void Promise.all(pods.map((pod) => pod.exited)).then(() => {
      const stored = testRuns.get(run.metadata.name);
      if (stored) stored.status = { stage: 'finished' };
    });
  };

  const followLog = async (
    _namespace: string,
    podName: string,
    container: string,
    sinceTime: string | undefined,
    onChunk: (text: string) => void,
  ): Promise<LogFollow> => {
    const index = pods.findIndex((p) => p.name === podName);
    const pod = pods[index];
    if (!pod || container !== runnerContainer) throw new Error(`no pod ${podName}/${container}`);
    // sinceTime has second precision, as metav1.Time: lines of that whole second come again.
    const from = sinceTime ? sinceTime.replace(/Z$/, '') : '';
    let sent = 0;
    let resolveEnded: () => void = () => undefined;
    const ended = new Promise<void>((resolve) => {
      resolveEnded = resolve;
    });
    const limit = breaks.get(index);
    if (limit !== undefined) breaks.delete(index);
    let closed = false;
    const close = () => {
      closed = true;
      pod.listeners.delete(send);
      pod.closers.delete(close);
      resolveEnded();
    };
    function send(line: LogLine) {
      if (closed || (from && line.stamp.slice(0, 19) < from)) return;
      onChunk(`${line.stamp} ${line.text}\n`);
      sent += 1;
      if (limit !== undefined && sent >= limit) close();
    }
    for (const line of [...pod.lines]) send(line);
    if (closed || pod.phase !== 'Running') {
      close();
      return { ended, stop: close };
    }
    pod.listeners.add(send);
    pod.closers.add(close);
    return { ended, stop: close };
  };

  const podObject = (pod: FakePod): Pod => ({
    metadata: { name: pod.name, labels: pod.labels },
    status: { phase: pod.phase },
  });

  return {
    cluster: 'fake',
    configMaps,
    testRuns,
    pods,
    runnerArgv,
    breakStreamAfter: (podIndex, lines) => {
      breaks.set(podIndex, lines);
    },
    createConfigMap: async (_namespace, body) => {
      const map = body as ConfigMapObject;
      configMaps.set(map.metadata.name, map);
    },
    deleteConfigMap: async (_namespace, name) => {
      configMaps.delete(name);
    },
    createTestRun: async (_namespace, body) => {
      const run = structuredClone(body) as TestRunObject & { status?: { stage: string } };
      run.status = { stage: 'started' };
      testRuns.set(run.metadata.name, run);
      startRunners(run);
      return run as TestRunState;
    },
    readTestRun: async (_namespace, name) => {
      const run = testRuns.get(name);
      if (!run) throw new Error(`TestRun ${name} not found`);
      return run as TestRunState;
    },
    deleteTestRun: async (_namespace, name) => {
      testRuns.delete(name);
      // Deleting the TestRun deletes its Jobs: the runners get SIGTERM, as on Pod deletion.
      for (const pod of pods) if (pod.phase === 'Running') pod.process.kill('SIGTERM');
    },
    listPods: async (_namespace, selector) => {
      const wanted = Object.fromEntries(selector.split(',').map((pair) => pair.split('=') as [string, string]));
      return pods
        .filter((pod) => Object.entries(wanted).every(([key, value]) => pod.labels[key] === value))
        .map(podObject);
    },
    followLog,
    stopAll: async () => {
      for (const pod of pods) if (pod.phase === 'Running') pod.process.kill('SIGKILL');
      await Promise.all(pods.map((pod) => pod.exited));
    },
  };
}
