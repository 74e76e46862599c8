/**
 * Bench (a): how fast the harness digests k6's sample stream, against merely reading the same
 * bytes and against the rate k6 produced them.
 *
 *   npx tsx bench/stream-ingest.ts            # records a k6 output first (BENCH_RATE, BENCH_DURATION_S)
 *
 * Recording: the real k6 runs the harness's own load script at BENCH_RATE requests/s (default
 * 2000) for BENCH_DURATION_S (default 10) against a plain loopback server, writing its JSON
 * output exactly as in a run. Then the file is (1) read in 1 MiB chunks, (2) read and split
 * into lines, (3) fed through followSamples + Ledger (the run's path), each 5 times; the best
 * time of each is reported.
 */
import { mkdtempSync, openSync, readSync, closeSync, statSync, readFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Ledger } from '../src/budgets/ledger.js';
import { parseMetricSelector, parseThreshold } from '../src/budgets/threshold.js';
import { findK6 } from '../src/load/k6-binary.js';
import { startK6 } from '../src/load/k6-run.js';
import { followSamples } from '../src/load/sample-stream.js';
import { LineSplitter } from '../src/load/samples.js';

const rate = Number(process.env.BENCH_RATE ?? 2000);
const seconds = Number(process.env.BENCH_DURATION_S ?? 10);

async function record(
  dir: string,
): Promise<{ file: string; lines: number; producedSeconds: number; startedMs: number }> {
  const k6 = await findK6();
  if (!k6) throw new Error('k6 v2 not found: run npm run setup');
  const server = http.createServer((_req, res) => {
    res.setHeader('x-chaos-cluster', 'central');
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const run = startK6({
    k6,
    runDir: dir,
    onSample: () => {},
    config: {
      ingresses: [{ name: 'central', url: `http://127.0.0.1:${port}` }],
      ratePerSecond: rate,
      durationSeconds: seconds,
      method: 'GET',
      paths: ['/'],
      timeoutMs: 2000,
      preAllocatedVUs: 50,
      maxVUs: 200,
      servedBy: { kind: 'header', header: 'x-chaos-cluster' },
    },
  });
  const started = Date.now();
  await run.ended;
  const producedSeconds = (Date.now() - started) / 1000;
  server.close();
  const file = path.join(dir, 'k6-samples.json');
  const lines = readFileSync(file, 'utf8').split('\n').length - 1;
  return { file, lines, producedSeconds, startedMs: started };
}

function best(runs: number, fn: () => void): number {
  let min = Infinity;
  for (let i = 0; i < runs; i += 1) {
    const start = process.hrtime.bigint();
    fn();
    min = Math.min(min, Number(process.hrtime.bigint() - start) / 1e9);
  }
  return min;
}

function readChunks(file: string, onChunk: (buffer: Buffer, length: number) => void): void {
  const fd = openSync(file, 'r');
  const buffer = Buffer.alloc(1 << 20);
  for (let offset = 0; ;) {
    const read = readSync(fd, buffer, 0, buffer.length, offset);
    if (read <= 0) break;
    offset += read;
    onChunk(buffer, read);
  }
  closeSync(fd);
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-ingest-'));
const { file, lines, producedSeconds, startedMs } = await record(dir);
const bytes = statSync(file).size;
const budget = (s: string, t: string) => {
  const selector = parseMetricSelector(s);
  const threshold = parseThreshold(t);
  if (!selector.ok || !threshold.ok) throw new Error('bad budget');
  return { phase: 'all', selector: selector.value, threshold: threshold.value };
};
let requests = 0;
const readOnly = best(5, () => readChunks(file, () => {}));
const splitOnly = best(5, () => {
  const splitter = new LineSplitter();
  readChunks(file, (buffer, length) => splitter.push(buffer.toString('utf8', 0, length), () => {}));
});
const ingest = best(5, () => {
  const ledger = new Ledger({
    ingresses: ['central'],
    windowMs: 1000,
    method: 'GET',
    originMs: startedMs - 5000,
    abortLimits: [budget('http_req_failed', 'rate<0.5')],
    budgets: [budget('http_req_failed', 'rate<0.01'), budget('http_req_duration', 'p(99)<350')],
  });
  ledger.startPhase('baseline', startedMs - 5000);
  const stream = followSamples(file, (sample) => ledger.add(sample));
  stream.close();
  ledger.closeWindows(startedMs + (producedSeconds + 10) * 1000);
  requests = ledger.samples;
});
const mb = bytes / 1e6;
const row = (name: string, s: number) =>
  `| ${name} | ${(s * 1000).toFixed(0)} ms | ${(mb / s).toFixed(0)} MB/s | ${Math.round(lines / s).toLocaleString('en')} lines/s |`;
console.log(
  `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, Node ${process.version}, load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
console.log(
  `recorded: k6 at ${rate}/s for ${seconds}s → ${requests.toLocaleString('en')} requests, ${lines.toLocaleString('en')} lines, ${mb.toFixed(1)} MB, written in ${producedSeconds.toFixed(1)} s (${Math.round(lines / producedSeconds).toLocaleString('en')} lines/s produced)`,
);
console.log('| pass over the file | best of 5 | bytes | lines |\n|---|---|---|---|');
console.log(row('read only (1 MiB chunks)', readOnly));
console.log(row('read + split lines', splitOnly));
console.log(row('harness ingestion (followSamples + Ledger)', ingest));
console.log(
  `ingestion vs read-only: ${(ingest / readOnly).toFixed(1)}× the time; vs k6 producing: ${(producedSeconds / ingest).toFixed(0)}× faster than k6 wrote it`,
);
