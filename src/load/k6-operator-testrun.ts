/**
 * Distributed load, as objects (pure): the ConfigMap holding the same k6 script and load config
 * a local run uses, and the k6-operator TestRun (k6.io/v1alpha1) that runs it on `parallelism`
 * runner Pods. k6-operator gives each runner an execution segment, so together they make the
 * scenario's rate. Each runner writes its samples as k6 JSON lines to its stdout; the harness
 * follows every runner's log through the Kubernetes API and merges them into one ledger
 * (docs/distributed-load.md).
 */
import { buildK6Invocation, type LoadScriptConfig } from './k6-args.js';
import { pinnedK6Version } from './k6-binary.js';
import type { OperatorRunner } from '../scenario/types.js';

/** k6-operator mounts the script's ConfigMap here (pkg/types/script.go). */
export const operatorScriptDir = '/test';
const operatorScriptFile = 'load.ts';
/** The module load.ts imports (`./chaos-k6.ts`): it must sit next to the script in the ConfigMap. */
const chaosModuleFile = 'chaos-k6.ts';
/** The module chaos-k6.ts imports (`./recorder.ts`), next to it too. */
const recorderFile = 'recorder.ts';
const operatorConfigFile = 'config.json';
/** The runner container k6-operator makes; its log is the sample stream. */
export const runnerContainer = 'k6';
/** Labels k6-operator puts on runner Pods (pkg/resources/jobs/helpers.go, runner.go). */
export const runnerSelector = (testRun: string): string => `app=k6,k6_cr=${testRun},runner=true`;
export const defaultRunnerImage = `grafana/k6:${pinnedK6Version.replace(/^v/, '')}`;
const runLabel = 'chaos.dev/run';

interface EnvVar {
  name: string;
  value: string;
}

export interface ConfigMapObject {
  apiVersion: 'v1';
  kind: 'ConfigMap';
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  data: Record<string, string>;
}

interface PodTemplate {
  image: string;
  env: EnvVar[];
  serviceAccountName?: string;
  metadata: { labels: Record<string, string>; annotations: Record<string, string> };
}

export interface TestRunObject {
  apiVersion: 'k6.io/v1alpha1';
  kind: 'TestRun';
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: {
    parallelism: number;
    /** One runner per node when there are enough nodes: a runner's CPU is the load's limit. */
    separate: boolean;
    script: { configMap: { name: string; file: string } };
    /** Split on whitespace by k6-operator; ours hold no spaces. */
    arguments: string;
    quiet: 'true';
    cleanup: 'post';
    runner: PodTemplate;
    initializer: PodTemplate;
  };
}

export interface DistributedLoad {
  namespace: string;
  configMap: ConfigMapObject;
  testRun: TestRunObject;
  /** The k6 argv each runner gets after k6-operator's own (`k6 run --quiet <segment> …`). */
  arguments: string[];
}

export interface DistributedLoadInput {
  runId: string;
  runner: OperatorRunner;
  /** The environment's app namespace, used when the runner names none. */
  defaultNamespace: string;
  config: LoadScriptConfig;
  /** The k6 script's text (src/load/script/load.ts). */
  script: string;
  /** The text of src/load/script/chaos-k6.ts, which the script imports from its own folder. */
  chaosModule: string;
  /** The text of src/load/script/recorder.ts, which chaos-k6.ts imports from its own folder. */
  recorder: string;
}

/**
 * The same flags and environment as a local k6 (buildK6Invocation), with the samples going to
 * the runner's stdout, the file paths inside the runner, and without what k6-operator adds
 * itself (`run`, `--quiet`, the script path, execution segments, `--paused`, the instance tag).
 */
export function buildDistributedLoad(input: DistributedLoadInput): DistributedLoad {
  const namespace = input.runner.namespace ?? input.defaultNamespace;
  const name = `chaos-${input.runId}`;
  const scriptPath = `${operatorScriptDir}/${operatorScriptFile}`;
  // The VUs' compact records go to k6's stderr (no --console-output), which is the runner's log;
  // with --raw-samples, k6's JSON goes to `json=-`, its stdout (buffered in 4 KiB, flushed at
  // the end): it works whatever stdout is (a FIFO under containerd, a socket elsewhere), where
  // opening /dev/stdout fails on a socket.
  const invocation = buildK6Invocation({
    scriptPath,
    configPath: `${operatorScriptDir}/${operatorConfigFile}`,
    ...(input.config.raw ? { samplesPath: '-' } : {}),
  });
  const args = invocation.args.filter((arg) => arg !== 'run' && arg !== '--quiet' && arg !== scriptPath);
  const env = Object.entries(invocation.env).map(([key, value]) => ({ name: key, value }));
  const labels = { 'app.kubernetes.io/managed-by': 'chaos', [runLabel]: input.runId };
  const template: PodTemplate = {
    image: input.runner.image ?? defaultRunnerImage,
    env,
    ...(input.runner.serviceAccount ? { serviceAccountName: input.runner.serviceAccount } : {}),
    // Runners are outside users: they enter through the ingress gateway, never through a sidecar of their own.
    metadata: { labels, annotations: { 'sidecar.istio.io/inject': 'false' } },
  };
  return {
    namespace,
    arguments: args,
    configMap: {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace, labels },
      data: {
        [operatorScriptFile]: input.script,
        [chaosModuleFile]: input.chaosModule,
        [recorderFile]: input.recorder,
        [operatorConfigFile]: `${JSON.stringify(input.config, null, 2)}\n`,
      },
    },
    testRun: {
      apiVersion: 'k6.io/v1alpha1',
      kind: 'TestRun',
      metadata: { name, namespace, labels },
      spec: {
        parallelism: input.runner.parallelism,
        separate: input.runner.parallelism > 1,
        script: { configMap: { name, file: operatorScriptFile } },
        arguments: args.join(' '),
        quiet: 'true',
        cleanup: 'post',
        runner: template,
        initializer: template,
      },
    },
  };
}

/**
 * A log line of a runner, as the API gives it with `timestamps=true`: the kubelet's RFC 3339
 * time, a space, then what k6 wrote. The time lets a broken log stream resume without
 * counting a line twice.
 */
export function splitTimestamp(line: string): { stamp: string; text: string } {
  const space = line.indexOf(' ');
  if (space <= 0 || !/^\d{4}-\d\d-\d\dT/.test(line)) return { stamp: '', text: line };
  return { stamp: line.slice(0, space), text: line.slice(space + 1) };
}

/** Compares RFC 3339 times with any number of fractional digits (the kubelet trims zeros). */
export function compareStamps(a: string, b: string): number {
  const [aSec = '', aFrac = ''] = a.replace(/Z$/, '').split('.');
  const [bSec = '', bFrac = ''] = b.replace(/Z$/, '').split('.');
  if (aSec !== bSec) return aSec < bSec ? -1 : 1;
  const width = Math.max(aFrac.length, bFrac.length);
  const left = aFrac.padEnd(width, '0');
  const right = bFrac.padEnd(width, '0');
  return left === right ? 0 : left < right ? -1 : 1;
}
