/**
 * How reports word "served by": the shares of the clusters when a mechanism is configured,
 * "not measured" when none is (never "unknown", which means the mechanism gave nothing).
 */
import { expect } from 'chai';
import { formatShares } from '../../src/report/format-values.js';
import { servedByNotMeasured } from '../../src/budgets/sample.js';

describe('served by, in words', () => {
  it('says "not measured" when no servedBy is configured', () => {
    expect(formatShares({ [servedByNotMeasured]: 120 })).to.equal('not measured');
  });

  it('gives each cluster its share, unknown included, largest first', () => {
    // 150 of 200 → 75 %, 48 → 24 %, 2 → 1 %.
    expect(formatShares({ central: 48, unknown: 2, west: 150 })).to.equal('west 75%, central 24%, unknown 1%');
    expect(formatShares({})).to.equal('-');
  });
});
