/**
 * Bench (c): from the end of the window that breached an abort limit to every fault reverted,
 * over 20 runs of test/fixtures/scenarios/abort-on-errors.yaml on the lab (real k6, the CLI).
 *
 *   npx tsx bench/abort-latency.ts          # BENCH_RUNS (default 20)
 *
 * Read from each run's journal: `abort.windowEndMs` (the breaching window's end) and
 * `revert-all.finishedAtMs`. The window is closed 700 ms after its end (k6 flushes every
 * 200 ms, the harness polls every 100 ms), so that lag is part of what is measured.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const runs = Number(process.env.BENCH_RUNS ?? 20);
const root = path.resolve(import.meta.dirname, '..');
const reports = mkdtempSync(path.join(os.tmpdir(), 'bench-abort-'));
const latencies: number[] = [];
for (let i = 0; i < runs; i += 1) {
  const dir = path.join(reports, String(i));
  const cli = spawnSync(
    process.execPath,
    [
      path.join(root, 'bin/chaos.js'),
      'run',
      path.join(root, 'test/fixtures/scenarios/abort-on-errors.yaml'),
      '--quiet',
      '--reports',
      dir,
    ],
    { encoding: 'utf8', timeout: 120_000 },
  );
  const [runDir] = existsSync(dir) ? readdirSync(dir) : [];
  if (!runDir || !existsSync(path.join(dir, runDir, 'journal.jsonl'))) {
    console.log(`run ${i}: no journal (exit ${cli.status}): ${cli.stderr.trim().split('\n').pop() ?? ''}`);
    continue;
  }
  const entries = readFileSync(path.join(dir, runDir!, 'journal.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { type: string; windowEndMs?: number; finishedAtMs?: number });
  const abort = entries.find((e) => e.type === 'abort');
  const reverted = entries.find((e) => e.type === 'revert-all');
  if (abort?.windowEndMs === undefined || reverted?.finishedAtMs === undefined) {
    console.log(`run ${i}: no abort recorded`);
    continue;
  }
  latencies.push(reverted.finishedAtMs - abort.windowEndMs);
}
latencies.sort((a, b) => a - b);
const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
console.log(
  `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, Node ${process.version}, load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
console.log(
  `breach window end → all faults reverted, ${latencies.length} runs: min ${at(0)} ms, median ${at(50)} ms, p90 ${at(90)} ms, max ${latencies[latencies.length - 1]} ms`,
);
