/**
 * Bench: issue 16's "judged by 2" — a 30 % abort on one ingress with a 1 % recovery error budget
 * passes recovery in every run, and the fault phase's measured error rate is within 3 points of
 * 30 %. Runs bench/abort-30.yaml N times (ABORT_RUNS, default 10) on a lab of its own (`chaos lab
 * up`, free loopback ports, a private state folder) and prints one line per run and a summary.
 *
 *   npm run build && npx tsx bench/abort-recovery.ts
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { startLabProcess } from '../test/support/lab-process.js';
import { projectRoot } from '../test/support/cli.js';
import type { RunResult } from '../src/report/result-schema.js';

const runs = Number(process.env.ABORT_RUNS ?? 10);
const scenario = path.join(projectRoot, 'bench/abort-30.yaml');
const lab = await startLabProcess();
const reports = mkdtempSync(path.join(tmpdir(), 'chaos-abort30-'));
const tally = {
  runs: 0,
  recoveryPassed: 0,
  within3: 0,
  exit0: 0,
  centralDiffers: 0,
  westDiffers: 0,
  recoveryDiffers: 0,
};
const rates: number[] = [];
try {
  for (let i = 0; i < runs; i += 1) {
    const child = spawnSync(
      process.execPath,
      [path.join(projectRoot, 'bin/chaos.js'), 'run', scenario, '--output', 'json', '--reports', reports],
      { cwd: projectRoot, env: lab.env, encoding: 'utf8', timeout: 300_000 },
    );
    let result: RunResult;
    try {
      result = JSON.parse(child.stdout) as RunResult;
    } catch {
      console.error(`run ${i + 1}: exit ${child.status}, no result document\n${child.stderr.slice(-2000)}`);
      continue;
    }
    tally.runs += 1;
    if (child.status === 0) tally.exit0 += 1;
    const recovery = result.verdicts.filter((v) => v.phase === 'recovery');
    const recovered = recovery.length > 0 && recovery.every((v) => v.outcome === 'pass');
    if (recovered) tally.recoveryPassed += 1;
    const fault = result.phaseStats.find((s) => s.phase === 'fault' && s.ingress === 'central')!.stats;
    const rate = fault.failures / fault.requests;
    rates.push(rate);
    if (Math.abs(rate - 0.3) <= 0.03) tally.within3 += 1;
    // The comparison's claim, where the truth is known: central's fault phase differs (errors),
    // west's does not, and neither recovery does.
    const claim = (phase: string, ingress: string) => {
      const c = result.comparisons?.find((x) => x.phase === phase && x.ingress === ingress);
      return Boolean(c?.errors?.differs || c?.latency?.differs);
    };
    if (claim('fault', 'central')) tally.centralDiffers += 1;
    if (claim('fault', 'west')) tally.westDiffers += 1;
    if (claim('recovery', 'central') || claim('recovery', 'west')) tally.recoveryDiffers += 1;
    console.error(
      `run ${i + 1}/${runs}: exit ${child.status}; recovery ${recovery.map((v) => `${v.ingress} ${v.outcome} ${v.value}`).join(', ')}; ` +
        `fault central ${fault.failures}/${fault.requests} = ${(100 * rate).toFixed(1)} %`,
    );
  }
} finally {
  await lab.stop();
  rmSync(reports, { recursive: true, force: true });
}
const mean = rates.reduce((a, b) => a + b, 0) / Math.max(1, rates.length);
console.log(`| 30 % abort on central, ${tally.runs} runs (bench/abort-30.yaml) | measured |`);
console.log('|---|---|');
console.log(`| recovery passed its 1 % budget (target: every run) | ${tally.recoveryPassed} of ${tally.runs} |`);
console.log(`| fault-phase error rate within 3 points of 30 % | ${tally.within3} of ${tally.runs} |`);
console.log(
  `| fault-phase error rate: mean, min, max | ${(100 * mean).toFixed(1)} %, ${(100 * Math.min(...rates)).toFixed(1)} %, ${(100 * Math.max(...rates)).toFixed(1)} % |`,
);
console.log(`| runs that exited 0 | ${tally.exit0} of ${tally.runs} |`);
console.log(
  `| comparison claims central's fault phase DIFFERS (true: it does) | ${tally.centralDiffers} of ${tally.runs} |`,
);
console.log(
  `| comparison claims west's fault phase DIFFERS (true: no fault there) | ${tally.westDiffers} of ${tally.runs} |`,
);
console.log(`| comparison claims a recovery phase DIFFERS | ${tally.recoveryDiffers} of ${tally.runs} |`);
console.log(
  `\nmachine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}, Node ${process.version}`,
);
