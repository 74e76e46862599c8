/**
 * Judged item 2 of issue 3: frontend scaled to 0 in central. After the propagation delay,
 * central's ingress serves from west's Pods with the inter-region round trip added, and no
 * request fails outside the documented windows:
 *   - endpoint changes reach the proxies `propagationDelayMs` after they happen;
 *   - a deleted Pod refuses new connections at once and finishes in-flight requests within
 *     `terminationGraceMs`.
 * A request may fail only if it starts between the scale call and the end of both windows.
 */
import { expect } from 'chai';
import type { RunningLab } from '../../src/lab/index.js';
import { clientsFor, closedLoop, ingressOf, median, scale, sequential, sleep, startTestLab } from './lab-test-kit.js';

const propagationDelayMs = 400;
const terminationGraceMs = 800;
const interRegionLatencyMs = 25; // one way, from the shipped topology
const slackMs = 250; // scheduling jitter on a busy test machine

describe('frontend scaled to zero in central (default topology)', function () {
  this.timeout(60_000);
  let lab: RunningLab;
  let errors: string[];

  before(async () => {
    ({ lab, errors } = await startTestLab({
      propagationDelayMs,
      timing: { startupMs: 300, readinessMs: 200, terminationGraceMs },
    }));
  });
  after(async () => lab?.stop());

  it('moves central ingress traffic to west after propagation, adding the round trip, failing nothing outside the windows', async () => {
    const central = ingressOf(lab, 'central');
    const before = await sequential(central, '/', 40);
    expect(
      before.every((s) => s.status === 200 && s.cluster === 'central'),
      'baseline served locally',
    ).to.equal(true);

    const load = closedLoop(central, '/', 4, 3_000, 4_000);
    await sleep(300);
    const scaledAt = performance.now();
    await scale(clientsFor(lab, 'central'), 'bank-of-anthos', 'frontend', 0);
    const samples = await load;

    const windowEnd = scaledAt + propagationDelayMs + terminationGraceMs + slackMs;
    const failures = samples.filter((s) => s.status !== 200);
    const outside = failures.filter((s) => s.start < scaledAt || s.start > windowEnd);
    expect(
      outside.map((s) => `${s.status} at +${Math.round(s.start - scaledAt)} ms`),
      'failures outside the windows',
    ).to.deep.equal([]);
    const settled = samples.filter((s) => s.start > scaledAt + propagationDelayMs + slackMs);
    expect(settled.length).to.be.greaterThan(20);
    expect(new Set(settled.map((s) => s.cluster)), 'after propagation central ingress serves from west').to.deep.equal(
      new Set(['west']),
    );
    expect(samples.filter((s) => s.start < scaledAt).every((s) => s.cluster === 'central')).to.equal(true);

    const after = await sequential(central, '/', 40);
    expect(after.every((s) => s.status === 200 && s.cluster === 'west' && s.pod.startsWith('frontend-'))).to.equal(
      true,
    );
    const added = median(after) - median(before);
    // One east-west round trip is 2 × 25 ms (timers never fire early, so the true cost is at least
    // that); allow 30 % below it for a noisy baseline and generous room above for a busy machine.
    expect(added, `median before ${median(before).toFixed(1)} ms, after ${median(after).toFixed(1)} ms`).to.be.within(
      2 * interRegionLatencyMs * 0.7,
      2 * interRegionLatencyMs + 150,
    );
    expect(errors).to.deep.equal([]);
  });
});
