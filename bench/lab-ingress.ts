/**
 * Bench: what the lab's ingress costs. The same k6 load (real k6 binary, a separate process)
 * goes to a plain loopback Node HTTP server and to the lab's central ingress, whose route is
 * trivial (gateway → one Pod that answers at once). Two loads per target:
 *   - throughput: 32 VUs as fast as they can for 10 s → requests per second;
 *   - latency: 200 and 1000 requests/s constant arrival rate for 10 s → median / p90 / p99.
 * The difference is the ingress's added latency (gateway proxy + Pod listener + one more hop).
 *
 *   npx tsx bench/lab-ingress.ts            (K6_BIN overrides .tools/bin/k6)
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLab } from '../src/lab/index.js';

const k6 = process.env.K6_BIN ?? fileURLToPath(new URL('../.tools/bin/k6', import.meta.url));
const durationS = Number(process.env.BENCH_DURATION_S ?? '10');

const script = `import http from 'k6/http';
export const options = { discardResponseBodies: true, scenarios: {
  load: __ENV.MODE === 'throughput'
    ? { executor: 'constant-vus', vus: 32, duration: '${durationS}s' }
    : { executor: 'constant-arrival-rate', rate: Number(__ENV.MODE.replace('rate-', '')), timeUnit: '1s', duration: '${durationS}s', preAllocatedVUs: 64, maxVUs: 256 },
} };
export default function () { http.get(__ENV.TARGET); }
`;

interface Result {
  rps: number;
  med: number;
  p90: number;
  p99: number;
  failed: number;
}

type Mode = 'throughput' | 'rate-200' | 'rate-1000';

function run(dir: string, target: string, mode: Mode): Promise<Result> {
  const summary = join(dir, `summary-${mode}-${Date.now()}.json`);
  const args = [
    'run',
    '-q',
    '--summary-export',
    summary,
    '--summary-trend-stats',
    'avg,med,p(90),p(99)',
    '-e',
    `TARGET=${target}`,
    '-e',
    `MODE=${mode}`,
    join(dir, 'bench.js'),
  ];
  return new Promise((resolve, reject) => {
    execFile(
      k6,
      args,
      { env: { ...process.env, K6_NO_USAGE_REPORT: 'true', TZ: 'UTC' }, maxBuffer: 16 * 1024 * 1024 },
      (error, _stdout, stderr) => {
        if (error) return reject(new Error(`k6 failed: ${error.message}\n${stderr}`));
        readFile(summary, 'utf8')
          .then((text) => {
            const metrics = (JSON.parse(text) as { metrics: Record<string, Record<string, number>> }).metrics;
            const duration = metrics.http_req_duration ?? {};
            resolve({
              rps: metrics.http_reqs?.rate ?? 0,
              med: duration.med ?? 0,
              p90: duration['p(90)'] ?? 0,
              p99: duration['p(99)'] ?? 0,
              failed: metrics.http_req_failed?.value ?? 0,
            });
          })
          .catch(reject);
      },
    );
  });
}

async function main(): Promise<void> {
  if (!existsSync(k6)) throw new Error(`k6 not found at ${k6}: build it (chaos setup) or set K6_BIN`);
  const dir = await mkdtemp(join(tmpdir(), 'chaos-bench-'));
  await writeFile(join(dir, 'bench.js'), script);
  const plain = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  });
  await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
  const plainUrl = `http://127.0.0.1:${(plain.address() as AddressInfo).port}/`;
  const lab = await startLab({
    topologyPath: fileURLToPath(new URL('./lab-ingress-topology.yaml', import.meta.url)),
    ingressPort: 0,
    propagationDelayMs: 0,
  });
  const ingressUrl = `${lab.clusters[0]?.ingressUrl ?? ''}/`;
  try {
    const rows: string[] = [];
    for (const mode of ['throughput', 'rate-200', 'rate-1000'] as const) {
      const base = await run(dir, plainUrl, mode);
      const ingress = await run(dir, ingressUrl, mode);
      const f = (n: number): string => n.toFixed(2);
      rows.push(
        `| ${mode} | plain Node server | ${Math.round(base.rps)} | ${f(base.med)} | ${f(base.p90)} | ${f(base.p99)} | ${(base.failed * 100).toFixed(2)} % |`,
        `| ${mode} | lab ingress (trivial route) | ${Math.round(ingress.rps)} | ${f(ingress.med)} | ${f(ingress.p90)} | ${f(ingress.p99)} | ${(ingress.failed * 100).toFixed(2)} % |`,
        `| ${mode} | added by the ingress | ${Math.round(ingress.rps - base.rps)} | +${f(ingress.med - base.med)} | +${f(ingress.p90 - base.p90)} | +${f(ingress.p99 - base.p99)} | |`,
      );
    }
    const cpu = cpus()[0]?.model ?? 'unknown';
    console.log(
      `Machine: ${cpus().length} CPUs (${cpu}), Node ${process.version}, k6 from ${k6}; ${durationS} s per run\n`,
    );
    console.log('| load | target | req/s | median ms | p90 ms | p99 ms | failed |');
    console.log('|---|---|---|---|---|---|---|');
    for (const row of rows) console.log(row);
  } finally {
    await lab.stop();
    await new Promise((resolve) => plain.close(resolve));
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
