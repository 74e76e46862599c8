/**
 * report.html when an ingress has no served-by mechanism: its rows say "served by: not
 * measured" and no cluster bar, legend entry or chart series is drawn for "not measured"
 * (it is no cluster). The other ingress, measured, keeps its bars.
 */
import { expect } from 'chai';
import path from 'node:path';
import { servedByNotMeasured } from '../../src/budgets/sample.js';
import { readRunReport } from '../../src/report/read-reports.js';
import { renderHtml } from '../../src/report/render-html.js';
import type { RunReport } from '../../src/report/report-input.js';
import { buildChartView } from '../../src/report/report-view.js';
import { fixtureReports, fixtureRuns, stubAssets } from './report-fixtures.js';

/** The passed fixture run, with every request of ingress `west` attributed to "not measured". */
async function westNotMeasured(): Promise<RunReport> {
  const report = await readRunReport(path.join(fixtureReports, fixtureRuns.passed));
  const unattributed = (servedBy: Record<string, number>) => ({
    [servedByNotMeasured]: Object.values(servedBy).reduce((a, b) => a + b, 0),
  });
  const { result } = report;
  return {
    ...report,
    result: {
      ...result,
      windows: result.windows.map((w) => (w.ingress === 'west' ? { ...w, servedBy: unattributed(w.servedBy) } : w)),
      phaseStats: result.phaseStats.map((s) =>
        s.ingress === 'west' ? { ...s, stats: { ...s.stats, servedBy: unattributed(s.stats.servedBy) } } : s,
      ),
    },
  };
}

/** The share table's rows as [phase, ingress, bar's inner HTML, words]. */
function shareRows(html: string): string[][] {
  const table = html.slice(
    html.indexOf('<h2>Share of traffic each cluster served</h2>'),
    html.indexOf('<h2>Per phase'),
  );
  return [
    ...table.matchAll(
      /<tr><td>([^<]*)<\/td><td>([^<]*)<\/td><td><div class="bar">(.*?)<\/div><\/td><td>(.*?)<\/td><\/tr>/g,
    ),
  ].map((m) => [m[1]!, m[2]!, m[3]!, m[4]!]);
}

describe('report.html: served by, not measured', () => {
  it('says "served by: not measured" for the unmeasured ingress and draws no bar for it', async () => {
    const html = renderHtml(await westNotMeasured(), stubAssets);
    const rows = shareRows(html);
    expect(rows.map(([phase, ingress]) => `${phase}/${ingress}`)).to.deep.equal([
      'baseline/central',
      'baseline/west',
      'fault/central',
      'fault/west',
      'recovery/central',
      'recovery/west',
    ]);
    for (const [phase, ingress, bar, words] of rows) {
      if (ingress === 'west') {
        expect(words, `${phase}/west`).to.equal('served by: not measured');
        expect(bar, `${phase}/west: no segment`).to.equal('');
      } else {
        expect(bar, `${phase}/central keeps its bar`).to.match(/^<span style="width:/);
        expect(words).not.to.include(servedByNotMeasured);
      }
    }
    const legend = html.slice(html.indexOf('<h2>Share of traffic each cluster served</h2>'), html.indexOf('<table>'));
    expect(legend, 'no legend entry for "not measured"').not.to.include(servedByNotMeasured);
    expect(html).not.to.include(`title="${servedByNotMeasured}:`);
  });

  it('charts no "not measured" series: the view marks the ingress instead', async () => {
    const report = await westNotMeasured();
    const view = buildChartView(report.result, report.journal);
    expect(view.clusters).to.deep.equal(['central', 'west']);
    const west = view.ingresses.find((ingress) => ingress.name === 'west')!;
    expect(west.servedBy).to.deep.equal({});
    expect(west.servedByNotMeasured).to.equal(true);
    const central = view.ingresses.find((ingress) => ingress.name === 'central')!;
    expect(Object.keys(central.servedBy)).to.include('central');
    expect(central.servedByNotMeasured).to.equal(undefined);
  });
});
