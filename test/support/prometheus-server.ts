/**
 * A real Prometheus server for the remote-write tier: `.tools/bin/prometheus`, built by
 * `scripts/build-prometheus.sh` (scripts/test-prerequisites.sh runs it), started with its
 * remote-write receiver on a free loopback port and a private data folder, stopped with its
 * folder by the sandbox. A missing binary is an error, never a skip: a tier that quietly skips
 * itself hides that it did not run.
 */
import { accessSync, constants, writeFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from './cli.js';
import { freeLoopbackPort, ProcessSandbox } from './real-processes.js';
import { waitFor } from './wait.js';

export interface PrometheusServer {
  /** http://127.0.0.1:<port> */
  url: string;
  /** The remote-write receiver: <url>/api/v1/write */
  writeUrl: string;
  /** An instant PromQL query at `timeS` (seconds; now when absent): the vector's samples. */
  query(promql: string, timeS?: number): Promise<Array<{ metric: Record<string, string>; value: number }>>;
  logTail(): string;
  stop(): Promise<void>;
}

function findPrometheus(): string {
  const binary = path.join(process.env.CHAOS_KUBE_TOOLS ?? path.join(projectRoot, '.tools'), 'bin', 'prometheus');
  try {
    accessSync(binary, constants.X_OK);
  } catch {
    throw new Error(
      `The remote-write tier needs a real Prometheus, and ${path.relative(projectRoot, binary) || binary} is not built. ` +
        'Run `bash scripts/test-prerequisites.sh` (or `bash scripts/build-prometheus.sh`) from the repository root: ' +
        'it builds github.com/prometheus/prometheus from the Go module proxy into .tools/bin once, then reuses it.',
    );
  }
  return binary;
}

export async function startPrometheus(): Promise<PrometheusServer> {
  const binary = findPrometheus();
  const sandbox = new ProcessSandbox('prometheus');
  const config = path.join(sandbox.dir, 'prometheus.yml');
  writeFileSync(config, 'global: {}\nscrape_configs: []\n');
  const port = await freeLoopbackPort();
  const url = `http://127.0.0.1:${port}`;
  const name = 'prometheus';
  const child = sandbox.start(name, binary, [
    `--config.file=${config}`,
    `--storage.tsdb.path=${path.join(sandbox.dir, 'data')}`,
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
      return body.data.result.map((entry) => ({ metric: entry.metric, value: Number(entry.value[1]) }));
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
