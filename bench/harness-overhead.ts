/**
 * Bench (b): the same k6 load with and without the harness digesting its stream, against a
 * plain loopback server: achieved request rate both ways, and the harness's CPU share.
 *
 *   npx tsx bench/harness-overhead.ts        # BENCH_RATE (default 1000/s), BENCH_DURATION_S (default 15)
 *
 * "Without": k6 runs the harness's load script and writes its JSON output; nobody reads it.
 * "With": the run's path — followSamples polled every 100 ms into a Ledger with budgets and
 * an abort limit, windows closed as in a run. The target server runs in a child process so
 * that this process's CPU time is the harness's alone.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ledger } from '../src/budgets/ledger.js';
import { parseMetricSelector, parseThreshold } from '../src/budgets/threshold.js';
import { findK6 } from '../src/load/k6-binary.js';
import { startK6 } from '../src/load/k6-run.js';

const rate = Number(process.env.BENCH_RATE ?? 1000);
const seconds = Number(process.env.BENCH_DURATION_S ?? 15);

if (process.argv[2] === 'server') {
  const http = await import('node:http');
  const server = http.createServer((_req, res) => {
    res.setHeader('x-chaos-cluster', 'central');
    res.end('ok');
  });
  server.listen(0, '127.0.0.1', () => process.send?.((server.address() as { port: number }).port));
} else {
  const k6 = await findK6();
  if (!k6) throw new Error('k6 v2 not found: run npm run setup');
  const server = fork(new URL(import.meta.url).pathname, ['server'], { execArgv: ['--import', 'tsx'] });
  const port = await new Promise<number>((resolve) => server.once('message', (m) => resolve(m as number)));
  const budget = (s: string, t: string) => {
    const selector = parseMetricSelector(s);
    const threshold = parseThreshold(t);
    if (!selector.ok || !threshold.ok) throw new Error('bad budget');
    return { phase: 'all', selector: selector.value, threshold: threshold.value };
  };
  const once = async (withHarness: boolean) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-overhead-'));
    const ledger = new Ledger({
      ingresses: ['central'],
      windowMs: 1000,
      method: 'GET',
      originMs: Date.now(),
      abortLimits: [budget('http_req_failed', 'rate<0.5')],
      budgets: [budget('http_req_failed', 'rate<0.01'), budget('http_req_duration', 'p(99)<350')],
    });
    ledger.startPhase('baseline', Date.now());
    const run = startK6({
      k6,
      runDir: dir,
      onSample: (sample) => ledger.add(sample),
      config: {
        ingresses: [{ name: 'central', url: `http://127.0.0.1:${port}` }],
        ratePerSecond: rate,
        durationSeconds: seconds,
        method: 'GET',
        paths: ['/'],
        timeoutMs: 2000,
        preAllocatedVUs: 50,
        maxVUs: 400,
        servedBy: { kind: 'header', header: 'x-chaos-cluster' },
      },
    });
    const cpuBefore = process.cpuUsage();
    const started = Date.now();
    const timer = withHarness
      ? setInterval(() => {
          run.samples.poll();
          ledger.closeWindows(Date.now() - 700);
        }, 100)
      : undefined;
    await run.ended;
    if (timer) clearInterval(timer);
    if (withHarness) run.samples.close();
    const wallS = (Date.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const requests = readFileSync(path.join(dir, 'k6-samples.json'), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('{"metric":"chaos_req","type":"Point"')).length;
    return {
      requests,
      achieved: requests / seconds,
      cpuShare: (cpu.user + cpu.system) / 1e6 / wallS,
      digested: ledger.samples,
    };
  };
  const without = await once(false);
  const withHarness = await once(true);
  server.kill();
  console.log(
    `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, Node ${process.version}, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log(
    `| load ${rate}/s for ${seconds}s | requests | achieved rate | harness CPU (share of one core) |\n|---|---|---|---|`,
  );
  console.log(
    `| k6 alone | ${without.requests} | ${without.achieved.toFixed(0)}/s | — (idle: ${(without.cpuShare * 100).toFixed(1)} %) |`,
  );
  console.log(
    `| k6 + harness | ${withHarness.requests} (digested ${withHarness.digested}) | ${withHarness.achieved.toFixed(0)}/s | ${(withHarness.cpuShare * 100).toFixed(1)} % |`,
  );
}
