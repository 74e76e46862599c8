/**
 * Bench: what measuring costs k6 (issue 25, criteria 1 and 2). k6 invoked exactly as the harness
 * invokes it (buildLoadConfig + buildK6Invocation, the built-in load script recording every
 * request in the compact record, src/load/script/recorder.ts, to --console-output, k6's REST API
 * on loopback for dropped iterations) against a bare Node server on loopback, next to:
 *   - the same request loop with no recording and no output (the denominator of criterion 1);
 *   - the harness with --raw-samples (k6's JSON output as well, for audits).
 * Same target, two ingresses of `BENCH_VUS` VUs at a saturating arrival rate; rounds rotate the
 * order. Reports per variant the median request rate, its ratio to no recording, and the bytes
 * written per request.
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
import { freeLoopbackPortSync } from '../src/load/free-port.js';

const seconds = Number(process.env.BENCH_DURATION_S ?? 8);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const vus = Number(process.env.BENCH_VUS ?? 32);

/** The built-in script's request loop with nothing recorded: what k6 does with no measuring at all. */
const bareScript = `
import http from 'k6/http';
import exec from 'k6/execution';
import { config, harnessOptions, url } from '${path.join(packageRoot, 'src/load/script/chaos-k6.ts')}';
export const options = { discardResponseBodies: true, ...harnessOptions(undefined) };
export function chaosIteration() {
  const path = config.paths[exec.scenario.iterationInTest % config.paths.length] ?? '/';
  http.request(config.method, url(path), null, { timeout: config.timeoutMs + 'ms', tags: { name: path }, redirects: 0 });
}
`;

type Variant = 'no recording, no output' | 'harness (compact record)' | 'harness --raw-samples';
const variants: Variant[] = ['no recording, no output', 'harness (compact record)', 'harness --raw-samples'];

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
  const rawConfigPath = path.join(dir, 'k6-config-raw.json');
  const config = { ...buildLoadConfig(load, {}, seconds), epochMs: Date.now() };
  writeFileSync(configPath, JSON.stringify(config));
  writeFileSync(rawConfigPath, JSON.stringify({ ...config, raw: true }));
  const barePath = path.join(dir, 'bare.js');
  writeFileSync(barePath, bareScript);
  const results: Record<Variant, Array<{ rps: number; bytesPerRequest: number }>> = Object.fromEntries(
    variants.map((v) => [v, []]),
  ) as never;
  for (let round = 0; round < rounds; round += 1)
    for (let i = 0; i < variants.length; i += 1) {
      const variant = variants[(i + round) % variants.length]!;
      const out = path.join(dir, `out-${round}-${i}`);
      rmSync(out, { recursive: true, force: true });
      const bare = variant === 'no recording, no output';
      const raw = variant === 'harness --raw-samples';
      const invocation = buildK6Invocation({
        scriptPath: bare ? barePath : path.join(packageRoot, loadScriptPath),
        configPath: raw ? rawConfigPath : configPath,
        apiAddress: `127.0.0.1:${freeLoopbackPortSync()}`,
        ...(bare ? {} : { recordsPath: path.join(out, 'k6-records.log') }),
        ...(raw ? { samplesPath: path.join(out, 'k6-samples.json') } : {}),
      });
      const args = invocation.args;
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
  const bare = median(results['no recording, no output'].map((r) => r.rps));
  console.log(
    `\n${os.cpus().length} CPUs (${os.cpus()[0]?.model}), Node ${process.version}, ${k6.version}, ${new Date().toISOString()}`,
  );
  console.log(`${seconds} s per run, ${vus} VUs per ingress × 2 ingresses, ${rounds} rounds (medians)\n`);
  console.log('| variant | req/s | ratio to no recording, no output | bytes written / request |\n|---|---|---|---|');
  for (const variant of variants) {
    const rps = median(results[variant].map((r) => r.rps));
    const bytes = median(results[variant].map((r) => r.bytesPerRequest));
    console.log(`| ${variant} | ${Math.round(rps)} | ${(rps / bare).toFixed(2)} | ${bytes.toFixed(1)} |`);
  }
  server.kill();
  rmSync(dir, { recursive: true, force: true });
}
