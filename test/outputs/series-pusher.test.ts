/** The live push: one request at a time, samples in order, kept across failures that may heal, dropped when refused. */
import { expect } from 'chai';
import type { PushAnswer } from '../../src/play/outputs/prometheus/remote-write.js';
import { SeriesPusher } from '../../src/play/outputs/prometheus/series-pusher.js';
import { metricFamilies } from '../../src/report/metrics/metric-families.js';
import type { SeriesSample } from '../../src/report/metrics/run-series.js';

const sample = (n: number): SeriesSample => ({
  family: metricFamilies.windowRequests,
  labels: { run_id: 'r' },
  value: n,
  timestampMs: n * 1000,
});

/** A receiver that answers from a script, records what it accepted, and notes requests in flight together. */
function scriptedReceiver(answers: PushAnswer[]) {
  const accepted: number[] = [];
  let open = 0;
  let overlapping = 0;
  let calls = 0;
  const push = async (samples: readonly SeriesSample[]): Promise<PushAnswer> => {
    calls += 1;
    open += 1;
    if (open > 1) overlapping += 1;
    await new Promise((resolve) => setTimeout(resolve, 5));
    open -= 1;
    const answer = answers.shift() ?? { ok: true };
    if (answer.ok) accepted.push(...samples.map((s) => s.value));
    return answer;
  };
  return { push, accepted, overlapping: () => overlapping, calls: () => calls };
}

describe('pushing a run series as it comes (remote write)', () => {
  it('a failure that may heal keeps the samples: they arrive later, once each, in order', async () => {
    const receiver = scriptedReceiver([{ ok: false, retry: true, error: 'HTTP 503' }]);
    const warnings: string[] = [];
    const pusher = new SeriesPusher('http://127.0.0.1:1/api/v1/write', receiver.push, (t) => warnings.push(t));
    pusher.add([sample(1), sample(2)]);
    await new Promise((resolve) => setTimeout(resolve, 30));
    pusher.add([sample(3)]);
    pusher.add([sample(4)]);
    await pusher.flush();
    expect(receiver.accepted).to.deep.equal([1, 2, 3, 4]);
    expect(receiver.overlapping(), 'one request at a time').to.equal(0);
    expect(pusher.pushed).to.equal(4);
    expect(pusher.undelivered).to.equal(0);
    expect(warnings).to.have.length(2);
    expect(warnings[0]).to.include('HTTP 503').and.include('trying again');
    expect(warnings[1]).to.include('works again');
  });

  it('samples the receiver refused (4xx) are dropped, not sent again; later ones still go', async () => {
    const receiver = scriptedReceiver([{ ok: false, retry: false, error: 'HTTP 400 out of order' }]);
    const pusher = new SeriesPusher('http://127.0.0.1:1/', receiver.push, () => undefined);
    pusher.add([sample(1)]);
    await pusher.flush();
    pusher.add([sample(2)]);
    await pusher.flush();
    expect(receiver.accepted).to.deep.equal([2]);
    expect(receiver.calls()).to.equal(2);
    expect(pusher.undelivered).to.equal(1);
    expect(pusher.lastError).to.equal('HTTP 400 out of order');
  });

  it('a receiver that never answers well leaves every sample counted as undelivered, and warns once', async () => {
    const down: PushAnswer = { ok: false, retry: true, error: 'ECONNREFUSED' };
    const receiver = scriptedReceiver(Array.from({ length: 10 }, () => down));
    const warnings: string[] = [];
    const pusher = new SeriesPusher('http://127.0.0.1:1/', receiver.push, (t) => warnings.push(t));
    for (let n = 1; n <= 3; n += 1) {
      pusher.add([sample(n)]);
      await pusher.flush();
    }
    expect(receiver.accepted).to.deep.equal([]);
    expect(pusher.undelivered).to.equal(3);
    expect(warnings).to.have.length(1);
  });
});
