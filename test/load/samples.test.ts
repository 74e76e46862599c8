/** k6 JSON lines → samples: the iteration mark each iteration's start writes (issue 26, item 1). */
import { expect } from 'chai';
import { parseSampleLine } from '../../src/load/samples.js';

describe("k6's JSON lines → samples", () => {
  it('a chaos_iter point is an iteration started at its time on its ingress', () => {
    const line =
      '{"metric":"chaos_iter","type":"Point","data":{"time":"2026-12-01T10:00:01.250Z","value":1,"tags":{"ingress":"west","scenario":"west"}}}';
    expect(parseSampleLine(line)).to.deep.equal({
      kind: 'iteration',
      timeMs: Date.parse('2026-12-01T10:00:01.250Z'),
      ingress: 'west',
      count: 1,
    });
  });

  it('a dropped_iterations point stays a count of dropped iterations; other metrics are skipped', () => {
    const dropped =
      '{"metric":"dropped_iterations","type":"Point","data":{"time":"2026-12-01T10:00:02Z","value":3,"tags":{"scenario":"central"}}}';
    expect(parseSampleLine(dropped)).to.include({ kind: 'dropped', ingress: 'central', count: 3 });
    expect(
      parseSampleLine('{"metric":"iterations","type":"Point","data":{"time":"2026-12-01T10:00:02Z","value":1}}'),
    ).to.equal(undefined);
  });
});
