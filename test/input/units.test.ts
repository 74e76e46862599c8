import { expect } from 'chai';
import { formatDuration, parseDuration, parsePercentage, parseRate } from '../../src/input/units.js';

describe('strict scalar grammars', () => {
  const durations: Array<[unknown, number | undefined]> = [
    ['500ms', 500],
    ['30s', 30_000],
    ['2m', 120_000],
    ['1m30s', 90_000],
    ['1.5s', 1500],
    ['1h', 3_600_000],
    ['30', undefined],
    [30, undefined],
    ['30 s', undefined],
    ['-1s', undefined],
    ['1d', undefined],
    ['', undefined],
    ['s', undefined],
  ];
  for (const [input, expected] of durations) {
    it(`reads the duration ${JSON.stringify(input)} as ${expected ?? 'an error'}`, () => {
      const parsed = parseDuration(input);
      if (expected === undefined) expect(parsed.ok).to.equal(false);
      else expect(parsed).to.deep.equal({ ok: true, value: expected });
    });
  }

  const percentages: Array<[unknown, number | undefined]> = [
    [20, 20],
    [0, 0],
    [100, 100],
    [0.5, 0.5],
    ['20%', 20],
    ['20', undefined],
    [101, undefined],
    [-1, undefined],
    ['x%', undefined],
  ];
  for (const [input, expected] of percentages) {
    it(`reads the percentage ${JSON.stringify(input)} as ${expected ?? 'an error'}`, () => {
      const parsed = parsePercentage(input);
      if (expected === undefined) expect(parsed.ok).to.equal(false);
      else expect(parsed).to.deep.equal({ ok: true, value: expected });
    });
  }

  const rates: Array<[unknown, number | undefined]> = [
    [50, 50],
    ['50/s', 50],
    ['3000/m', 50],
    [0, undefined],
    ['50', undefined],
    ['50/h', undefined],
    [-5, undefined],
  ];
  for (const [input, expected] of rates) {
    it(`reads the rate ${JSON.stringify(input)} as ${expected ?? 'an error'}`, () => {
      const parsed = parseRate(input);
      if (expected === undefined) expect(parsed.ok).to.equal(false);
      else expect(parsed).to.deep.equal({ ok: true, value: expected });
    });
  }

  it('writes durations back in the shortest unit', () => {
    expect([0, 500, 30_000, 90_000, 120_000, 3_600_000].map(formatDuration)).to.deep.equal([
      '0s',
      '500ms',
      '30s',
      '1m30s',
      '2m',
      '1h',
    ]);
  });
});
