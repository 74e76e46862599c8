/**
 * A real Prometheus server for the remote-write tier: `.tools/bin/prometheus`, built by
 * `scripts/build-prometheus.sh` (scripts/test-prerequisites.sh runs it), started with its
 * remote-write receiver on a free loopback port and a private data folder, stopped with its
 * folder by the sandbox; and its promtool, which loads an OpenMetrics file into a data folder. A
 * missing binary is an error, never a skip: a tier that quietly skips itself hides that it did
 * not run.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { projectRoot } from './cli.js';
import { freeLoopbackPort, ProcessSandbox } from './real-processes.js';
import { waitFor } from './wait.js';

export interface PrometheusServer {
  /** http://127.0.0.1:<port> */
  url: string;
  /** The remote-write receiver: <url>/api/v1/write */
  writeUrl: string;
  /** An instant PromQL query at `timeS` (seconds; now when absent): the vector's samples, sorted by labels. */
  query(promql: string, timeS?: number): Promise<Array<{ metric: Record<string, string>; value: number }>>;
  /** Every sample of the series `selector` picks in the hour before `timeS`, series sorted by labels. */
  samples(selector: string, timeS: number): Promise<Array<{ metric: Record<string, string>; values: string[][] }>>;
  logTail(): string;
  stop(): Promise<void>;
}

function findTool(name: 'prometheus' | 'promtool'): string {
  const binary = path.join(process.env.CHAOS_KUBE_TOOLS ?? path.join(projectRoot, '.tools'), 'bin', name);
  try {
    accessSync(binary, constants.X_OK);
  } catch {
    throw new Error(
      `The remote-write tier needs a real Prometheus and its promtool, and ${path.relative(projectRoot, binary) || binary} is not built. ` +
        'Run `bash scripts/test-prerequisites.sh` (or `bash scripts/build-prometheus.sh`) from the repository root: ' +
        'it builds github.com/prometheus/prometheus from the Go module proxy into .tools/bin once, then reuses it.',
    );
  }
  return binary;
}

/**
 * A data folder holding `file` (OpenMetrics with timestamps), as `promtool tsdb
 * create-blocks-from openmetrics` writes it: Prometheus's own reader of the format.
 */
export function backfillOpenMetrics(file: string): { dataDir: string; output: string; remove(): void } {
  const promtool = findTool('promtool');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'chaos-promtool-'));
  const done = spawnSync(promtool, ['tsdb', 'create-blocks-from', 'openmetrics', file, dataDir], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  const output = `${done.stdout}${done.stderr}`;
  if (done.status !== 0) {
    rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`promtool could not load ${file} (exit ${done.status}):\n${output}`);
  }
  return { dataDir, output, remove: () => rmSync(dataDir, { recursive: true, force: true }) };
}

/** A Prometheus with its remote-write receiver on; on `dataDir` when given (else a fresh one). */
const labelKey = (metric: Record<string, string>) => JSON.stringify(Object.entries(metric).sort());

export async function startPrometheus(dataDir?: string): Promise<PrometheusServer> {
  const binary = findTool('prometheus');
  const sandbox = new ProcessSandbox('prometheus');
  const config = path.join(sandbox.dir, 'prometheus.yml');
  writeFileSync(config, 'global: {}\nscrape_configs: []\n');
  const port = await freeLoopbackPort();
  const url = `http://127.0.0.1:${port}`;
  const name = 'prometheus';
  const child = sandbox.start(name, binary, [
    `--config.file=${config}`,
    `--storage.tsdb.path=${dataDir ?? path.join(sandbox.dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--web.enable-remote-write-receiver',
    '--log.level=warn',
  ]);
  const server: PrometheusServer = {
    url,
    writeUrl: `${url}/api/v1/write`,
    query: async (promql, timeS) => {
      const params = new URLSearchParams({ query: promql });
      if (timeS !== undefined) params.set('time', timeS.toFixed(3));
      const response = await fetch(`${url}/api/v1/query?${params}`, { signal: AbortSignal.timeout(10_000) });
      const body = (await response.json()) as {
        status: string;
        error?: string;
        data?: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> };
      };
      if (body.status !== 'success' || body.data?.resultType !== 'vector')
        throw new Error(`PromQL ${promql}: ${body.error ?? JSON.stringify(body).slice(0, 300)}`);
      return body.data.result
        .map((entry) => ({ metric: entry.metric, value: Number(entry.value[1]) }))
        .sort((a, b) => labelKey(a.metric).localeCompare(labelKey(b.metric)));
    },
    samples: async (selector, timeS) => {
      const params = new URLSearchParams({ query: `${selector}[1h]`, time: timeS.toFixed(3) });
      const response = await fetch(`${url}/api/v1/query?${params}`, { signal: AbortSignal.timeout(10_000) });
      const body = (await response.json()) as {
        status: string;
        data?: { resultType: string; result: Array<{ metric: Record<string, string>; values: string[][] }> };
      };
      if (body.status !== 'success' || body.data?.resultType !== 'matrix')
        throw new Error(`PromQL ${selector}[1h]: ${JSON.stringify(body).slice(0, 300)}`);
      return body.data.result.sort((a, b) => labelKey(a.metric).localeCompare(labelKey(b.metric)));
    },
    logTail: () => sandbox.logTail(name),
    stop: () => sandbox.stop(),
  };
  try {
    await waitFor(
      async () => {
        if (child.state() !== 'running')
          throw new Error(`prometheus ended (${child.state()}):\n${sandbox.logTail(name)}`);
        const ready = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
        return ready?.ok === true;
      },
      { timeoutMs: 60_000, what: `prometheus to be ready on ${url}`, intervalMs: 200 },
    );
  } catch (error) {
    await sandbox.stop();
    throw error;
  }
  return server;
}
