/**
 * Bench: what measuring costs k6. k6 invoked as the harness invokes it (buildLoadConfig +
 * buildK6Invocation, the built-in load script, two ingresses at saturation) against a bare
 * Node server on loopback, next to the same invocation with no output, and next to the other
 * measurement paths issue 25 lists: k6's csv output, k6's web-dashboard `record` output (1 s
 * period), and recording in the VU (durations per VU, one raw console line per VU every 500 ms
 * to --console-output). Same script shape and target for all; rounds rotate the order.
 * Reports, per variant, the median request rate over the rounds, its ratio to "no output", and
 * the bytes written per request.
 *
 *   npx tsx bench/k6-measurement.ts      # BENCH_DURATION_S (default 8), BENCH_ROUNDS (3), BENCH_VUS (32 per ingress)
 *
 * Bounded: a fixed duration and fixed VUs, loopback only.
 */
import { fork, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildK6Invocation, buildLoadConfig, loadScriptPath } from '../src/load/k6-args.js';
import { findK6 } from '../src/load/k6-binary.js';
import { packageRoot } from '../src/input/files.js';

const seconds = Number(process.env.BENCH_DURATION_S ?? 8);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const vus = Number(process.env.BENCH_VUS ?? 32);

/** In-VU recording: the built-in request, its duration kept per VU, one line per VU every 500 ms. */
const inVuScript = (configPath: string, record: boolean) => `
import http from 'k6/http';
import exec from 'k6/execution';
import { config, harnessOptions, url } from '${path.join(packageRoot, 'src/load/script/chaos-k6.ts')}';
export const options = { discardResponseBodies: true, ...harnessOptions(undefined) };
let kept = [];
let flushedAt = Date.now();
export function chaosIteration() {
  const path = config.paths[exec.scenario.iterationInTest % config.paths.length] ?? '/';
  const sent = Date.now();
  const r = http.request(config.method, url(path), null, { timeout: config.timeoutMs + 'ms', tags: { name: path }, redirects: 0 });
  if (!${record}) return;
  kept.push(Math.round(r.timings.duration * 1000), r.status);
  if (sent - flushedAt >= 500) {
    console.log(__ENV.CHAOS_INGRESS + ' ' + flushedAt + ' ' + kept.join(','));
    kept = [];
    flushedAt = sent;
  }
}
// ${configPath}
`;

type Variant =
  'no output' | 'harness (json)' | 'csv' | 'web-dashboard record' | 'plain script, no recording' | 'in-VU record';
const variants: Variant[] = [
  'no output',
  'harness (json)',
  'csv',
  'web-dashboard record',
  'plain script, no recording',
  'in-VU record',
];

if (process.argv[2] === 'server') {
  const http = await import('node:http');
  let count = 0;
  const server = http.createServer((_req, res) => {
    count += 1;
    res.end('ok');
  });
  process.on('message', () => {
    process.send?.(count);
    count = 0;
  });
  server.listen(0, '127.0.0.1', () => process.send?.((server.address() as { port: number }).port));
} else {
  const k6 = await findK6();
  if (!k6) throw new Error('k6 v2 not found: run npm run setup');
  const server = fork(new URL(import.meta.url).pathname, ['server'], { execArgv: ['--import', 'tsx'] });
  const next = () => new Promise<number>((resolve) => server.once('message', (m) => resolve(m as number)));
  const port = await next();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chaos-k6-measure-'));
  const base = `http://127.0.0.1:${port}`;
  const load = ['central', 'west'].map((ingress) => ({
    ingress,
    target: base,
    ratePerSecond: 20_000,
    method: 'GET',
    paths: ['/'],
    timeoutMs: 2000,
    preAllocatedVUs: vus,
    maxVUs: vus,
  }));
  const configPath = path.join(dir, 'k6-config.json');
  writeFileSync(configPath, JSON.stringify(buildLoadConfig(load, {}, seconds)));
  const results: Record<Variant, Array<{ rps: number; bytesPerRequest: number }>> = Object.fromEntries(
    variants.map((v) => [v, []]),
  ) as never;
  for (let round = 0; round < rounds; round += 1)
    for (let i = 0; i < variants.length; i += 1) {
      const variant = variants[(i + round) % variants.length]!;
      const out = path.join(dir, `out-${round}-${i}`);
      rmSync(out, { recursive: true, force: true });
      const samplesPath = path.join(out, 'k6-samples.json');
      const inVu = variant === 'in-VU record';
      const plainScript = inVu || variant === 'plain script, no recording';
      const scriptPath = plainScript ? path.join(dir, `${variant[0]}.js`) : path.join(packageRoot, loadScriptPath);
      if (plainScript) writeFileSync(scriptPath, inVuScript(configPath, inVu));
      const invocation = buildK6Invocation({ scriptPath, configPath, samplesPath });
      const at = invocation.args.indexOf(`json=${samplesPath}`);
      const args = [...invocation.args];
      const replace = (values: string[]) => args.splice(at - 1, 2, ...values);
      if (variant === 'no output' || variant === 'plain script, no recording') replace([]);
      if (variant === 'csv') replace(['--out', `csv=${path.join(out, 'k6.csv')}`]);
      if (variant === 'web-dashboard record')
        replace(['--out', `web-dashboard=port=-1&period=1s&record=${path.join(out, 'record.ndjson.gz')}`]);
      if (inVu) replace(['--console-output', path.join(out, 'console.txt'), '--log-format', 'raw']);
      spawnSync('mkdir', ['-p', out]);
      server.send('reset');
      await next();
      const ran = spawnSync(k6.path, args, { env: { ...process.env, ...invocation.env }, encoding: 'utf8' });
      if (ran.status !== 0) throw new Error(`${variant}: k6 exited ${ran.status}: ${ran.stderr.slice(-500)}`);
      server.send('count');
      const requests = await next();
      const bytes = readdirSync(out).reduce((sum, file) => sum + statSync(path.join(out, file)).size, 0);
      results[variant].push({ rps: requests / seconds, bytesPerRequest: bytes / requests });
      console.log(
        `round ${round + 1} ${variant}: ${Math.round(requests / seconds)} req/s, ${(bytes / requests).toFixed(1)} B/request`,
      );
      rmSync(out, { recursive: true, force: true });
    }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const plain = median(results['no output'].map((r) => r.rps));
  const bare = median(results['plain script, no recording'].map((r) => r.rps));
  console.log(
    `\n${os.cpus().length} CPUs (${os.cpus()[0]?.model}), Node ${process.version}, ${k6.version}, ${new Date().toISOString()}`,
  );
  console.log(`${seconds} s per run, ${vus} VUs per ingress × 2 ingresses, ${rounds} rounds (medians)\n`);
  console.log(
    '| variant | req/s | ratio to no output (same script) | ratio to plain script, no recording | bytes written / request |\n|---|---|---|---|---|',
  );
  for (const variant of variants) {
    const rps = median(results[variant].map((r) => r.rps));
    const bytes = median(results[variant].map((r) => r.bytesPerRequest));
    console.log(
      `| ${variant} | ${Math.round(rps)} | ${(rps / plain).toFixed(2)} | ${(rps / bare).toFixed(2)} | ${bytes.toFixed(1)} |`,
    );
  }
  server.kill();
  rmSync(dir, { recursive: true, force: true });
}
