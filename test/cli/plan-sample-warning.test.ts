/** `chaos plan` warns when a phase cannot collect the samples a percentile budget needs (docs/verdicts.md). */
import { expect } from 'chai';
import path from 'node:path';
import { projectRoot, runChaos, runChaosAsync } from '../support/cli.js';

const scenario = path.join(projectRoot, 'test/fixtures/scenarios/p99-at-15.yaml');
const shipped = [
  'drain-central',
  'frontend-zero',
  'frontend-zero-west',
  'istio-abort',
  'istio-delay',
  'ledger-db-zero',
  'pod-kill-frontend',
];

describe('chaos plan: too few samples for a percentile', () => {
  it('warns for a p(99) at 15/s (1000 needed; 20 s gives 300) and not once the phases are long enough', () => {
    const short = runChaos(['plan', scenario]);
    expect(short.code).to.equal(0);
    expect(short.stdout).to.include('warning: too few samples for these percentiles and rates:');
    // 15/s × 20 s = 300 < 1000; 1000 / 15 = 66.7 → 67 s; 1000 / 20 s = 50/s.
    expect(short.stdout).to.include(
      'phase baseline at 15/s for 20s gives about 300, so it will be inconclusive (a phase of 67s, or a rate of 50/s',
    );
    const long = runChaos([
      'plan',
      scenario,
      ...['baseline', 'fault', 'recovery'].flatMap((p) => ['--phase', `${p}=70s`]),
    ]);
    expect(long.code).to.equal(0);
    expect(long.stdout).not.to.include('too few samples');
  });

  it('no shipped scenario warns: each can reach a verdict as written', async function () {
    // Seven CLI processes (each reads its scenario's script with the TypeScript parser): side by side.
    this.timeout(120_000);
    const plans = await Promise.all(shipped.map((name) => runChaosAsync(['plan', name], { timeoutMs: 110_000 })));
    for (const [index, plan] of plans.entries()) {
      expect(plan.code, plan.stderr).to.equal(0);
      expect(plan.stdout, shipped[index]).not.to.include('too few samples');
    }
  });
});
