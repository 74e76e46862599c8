/**
 * What every run of this process shares, read once: chaos's own version, the `CHAOS_*` settings of
 * the environment, where run folders go and how they are named, and the event subscribers that see
 * every run (an integration, or a test that injects a failure from outside: test/support/).
 * The CLI reads them and hands them down; the steps of a run never read the environment themselves.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../../errors/errors.js';
import { packageRoot } from '../../input/files.js';
import { parseDuration } from '../../input/units.js';
import type { RunEventSink } from '../../run/record/run-events.js';
import type { RunOutput } from '../outputs/run-output.js';
import { utcStamp } from '../run-folder.js';

export interface RunSettings {
  /** chaos's own version (package.json), recorded in every result. */
  chaosVersion: string;
  /** `CHAOS_VERIFY_TIMEOUT=30s`: how long a fault may take to show its effect, and the system to come back. */
  timing?: { verifyTimeoutMs: number };
  /** `CHAOS_K6_SCRIPT`: another k6 script in place of any other (tests of script errors, debugging). */
  scriptPath?: string;
  /** `--raw-samples` or `CHAOS_RAW_SAMPLES=1`: k6's per-request JSON output is kept too, for audits. */
  rawSamples?: boolean;
  /** Sinks added to every run's event log, after the console's. */
  subscribers: readonly RunEventSink[];
  /** Chat, Grafana, …: sinks of every run and what they do when a run or suite ends (the CLI adds them). */
  outputs: RunOutput[];
  now(): number;
  /** Makes `<reports>/<UTC time>-<name>/` and gives its absolute path. */
  makeRunDir(reportsDir: string, name: string, atMs: number): string;
}

const subscribers: RunEventSink[] = [];

/** Every run of this process from now on also gives its events to `sink` (after the console). */
export function subscribeToRuns(sink: RunEventSink): void {
  subscribers.push(sink);
}

export function readRunSettings(env: NodeJS.ProcessEnv): RunSettings {
  const pkg = JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string };
  return {
    chaosVersion: pkg.version,
    timing: verifyTimingFrom(env),
    scriptPath: env.CHAOS_K6_SCRIPT || undefined,
    rawSamples: env.CHAOS_RAW_SAMPLES === '1' || env.CHAOS_RAW_SAMPLES === 'true',
    subscribers: [...subscribers],
    outputs: [],
    now: () => Date.now(),
    makeRunDir: (reportsDir, name, atMs) => {
      const dir = path.join(reportsDir, `${utcStamp(atMs)}-${name}`);
      mkdirSync(dir, { recursive: true });
      return dir;
    },
  };
}

function verifyTimingFrom(env: NodeJS.ProcessEnv): { verifyTimeoutMs: number } | undefined {
  const text = env.CHAOS_VERIFY_TIMEOUT;
  if (text === undefined || text === '') return undefined;
  const parsed = parseDuration(text);
  if (!parsed.ok) throw new InputError(`CHAOS_VERIFY_TIMEOUT=${text}: expected ${parsed.expected}`);
  return { verifyTimeoutMs: parsed.value };
}
