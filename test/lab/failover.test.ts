/**
 * Judged item 2 of issue 3: frontend scaled to 0 in central. After the propagation delay,
 * central's ingress serves from west's Pods with the inter-region round trip added, and no
 * request fails outside the documented windows:
 *   - endpoint changes reach the proxies `propagationDelayMs` after they happen;
 *   - a deleted Pod refuses new connections at once and finishes in-flight requests within
 *     `terminationGraceMs`.
 * A request may fail only between the scale call and the first request answered from west (the
 * windows' lengths are the lab's settings; this test asserts order, not how long they took).
 */
import { expect } from 'chai';
import type { RunningLab } from '../../src/lab/index.js';
import { clientsFor, ingressOf, runningLoop, scale, sequential, startTestLab, waitFor } from './lab-test-kit.js';

const propagationDelayMs = 400;
const terminationGraceMs = 800;
const interRegionLatencyMs = 25; // one way, from the shipped topology

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

    const load = runningLoop(central, '/', 4);
    await waitFor('load flowing before the scale', () => (load.samples.length >= 8 ? true : undefined), 30_000);
    const scaledAt = performance.now();
    await scale(clientsFor(lab, 'central'), 'bank-of-anthos', 'frontend', 0);
    // Ends once 20 requests started after the first one served from west had answered.
    const firstWest = () => load.samples.filter((s) => s.cluster === 'west').sort((a, b) => a.end - b.end)[0];
    const switched = () => {
      const first = firstWest();
      return first && load.samples.filter((s) => s.start > first.end).length >= 20 ? first : undefined;
    };
    await waitFor('central ingress to serve 20 requests from west', switched, 60_000).finally(() => load.stop());
    const samples = await load.stop();
    const first = firstWest()!;

    // Ordering, not durations: nothing fails before the scale, and once a request from west has
    // answered (the proxies know the new endpoints) nothing fails and nothing goes to central.
    const failures = samples.filter((s) => s.status !== 200);
    expect(
      failures.filter((s) => s.start < scaledAt).map((s) => s.status),
      'failures before the scale',
    ).to.deep.equal([]);
    const settled = samples.filter((s) => s.start > first.end);
    expect(
      settled.filter((s) => s.status !== 200).map((s) => `${s.status} at +${Math.round(s.start - scaledAt)} ms`),
      'failures after the switch',
    ).to.deep.equal([]);
    expect(new Set(settled.map((s) => s.cluster)), 'after propagation central ingress serves from west').to.deep.equal(
      new Set(['west']),
    );
    expect(samples.filter((s) => s.start < scaledAt).every((s) => s.cluster === 'central')).to.equal(true);

    const after = await sequential(central, '/', 40);
    expect(after.every((s) => s.status === 200 && s.cluster === 'west' && s.pod.startsWith('frontend-'))).to.equal(
      true,
    );
    // One east-west round trip is 2 × 25 ms and timers never fire early: a lower bound only (how
    // much it adds in practice is measured in bench/, not asserted on this shared machine).
    expect(
      after.filter((s) => s.ms < 2 * interRegionLatencyMs - 1).map((s) => s.ms),
      'answered faster than the round trip to west',
    ).to.deep.equal([]);
    expect(errors).to.deep.equal([]);
  });
});
