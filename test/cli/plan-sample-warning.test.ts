/** `chaos plan` warns when a phase cannot collect the samples a percentile budget needs (docs/verdicts.md). */
import { expect } from 'chai';
import { runChaos } from '../support/cli.js';

describe('chaos plan: too few samples for a percentile', () => {
  it("warns for frontend-zero's p(99) at 15/s (1000 needed; 20 s gives 300) and not once the phases are long enough", () => {
    const short = runChaos(['plan', 'frontend-zero']);
    expect(short.code).to.equal(0);
    expect(short.stdout).to.include('warning: too few samples for these percentiles:');
    // 15/s × 20 s = 300 < 1000; 1000 / 15 = 66.7 → 67 s; 1000 / 20 s = 50/s.
    expect(short.stdout).to.include(
      'phase baseline at 15/s for 20s gives about 300, so it will be inconclusive (a phase of 67s, or a rate of 50/s',
    );
    const long = runChaos([
      'plan',
      'frontend-zero',
      ...['baseline', 'fault', 'recovery'].flatMap((p) => ['--phase', `${p}=70s`]),
    ]);
    expect(long.code).to.equal(0);
    expect(long.stdout).not.to.include('too few samples');
  });
});
