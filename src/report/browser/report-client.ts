/**
 * The browser script of report.html and index.html: reads the page's JSON data and draws uPlot
 * charts — per ingress the load, latency and served-by series with fault phases shaded and events
 * marked, or per scenario its trend across runs. Type-checked against the DOM and uPlot's types
 * (tsconfig.json beside it), compiled into one classic script by scripts/build-report-client.js
 * (postinstall and npm run build; types only may be imported) that html-page.ts inlines;
 * headless Chromium runs it in the tests. uPlot itself is inlined before it.
 */
import type { ChartView } from '../report-view.js';
import type { IndexScenario } from '../run-index.js';

/** What html-page.ts puts in <script id="report-data">. */
export type ReportData =
  | { kind: 'run'; view: ChartView }
  | { kind: 'index'; index: { scenarios: Array<Pick<IndexScenario, 'name' | 'points'>> } };

type Row = Array<number | null>;

const palette = ['#0969da', '#bf8700', '#8250df', '#1a7f37', '#cf222e', '#57606a'];
const eventColors: Record<string, string> = {
  'fault-applied': '#cf222e',
  'fault-reverted': '#1a7f37',
  'fault-failed': '#9a6700',
  abort: '#82071e',
  'revert-all': '#6639ba',
  note: '#0969da',
};
const px = window.devicePixelRatio || 1;

const widthOf = (el: HTMLElement): number => Math.max(320, Math.min(1050, el.clientWidth || 900));
const fmt =
  (digits: number, unit: string) =>
  (_u: uPlot, v: number | null): string =>
    v == null ? '-' : v.toFixed(digits) + unit;
const secs = (_u: uPlot, vals: number[]): string[] => vals.map((v) => `+${v}s`);
const atLeast =
  (floor: number, factor: number): uPlot.Range.Function =>
  (_u, _min, max) => [0, Math.max(floor, max * factor)];

/** Fault phases shaded, phase names on top, events as numbered dashed lines. */
function overlay(view: ChartView): uPlot.Plugin {
  return {
    hooks: {
      drawClear: [
        (u: uPlot) => {
          const { ctx } = u;
          const { top, height } = u.bbox;
          ctx.save();
          ctx.font = `${Math.round(11 * px)}px system-ui, sans-serif`;
          ctx.textBaseline = 'top';
          view.phases.forEach((p, i) => {
            const x0 = u.valToPos(p.start, 'x', true);
            const x1 = u.valToPos(p.end, 'x', true);
            ctx.fillStyle = p.faulty ? 'rgba(207, 34, 46, 0.12)' : i % 2 ? 'rgba(0, 0, 0, 0.035)' : 'rgba(0, 0, 0, 0)';
            ctx.fillRect(x0, top, Math.max(0, x1 - x0), height);
            ctx.fillStyle = p.faulty ? '#a40e26' : '#59636e';
            ctx.fillText(p.name, x0 + 4 * px, top + 3 * px);
          });
          ctx.restore();
        },
      ],
      draw: [
        (u: uPlot) => {
          const { ctx } = u;
          const { top, height } = u.bbox;
          ctx.save();
          ctx.font = `bold ${Math.round(10 * px)}px system-ui, sans-serif`;
          ctx.textBaseline = 'bottom';
          view.events.forEach((e, i) => {
            const x = Math.round(u.valToPos(e.t, 'x', true));
            ctx.strokeStyle = eventColors[e.kind] ?? '#57606a';
            ctx.fillStyle = ctx.strokeStyle;
            ctx.lineWidth = 1.5 * px;
            ctx.setLineDash([5 * px, 3 * px]);
            ctx.beginPath();
            ctx.moveTo(x, top);
            ctx.lineTo(x, top + height);
            ctx.stroke();
            ctx.fillText(String(i + 1), x + 3 * px, top + height - 2 * px);
          });
          ctx.restore();
        },
      ],
    },
  };
}

// A window's value holds over the whole window: draw steps, and close the last one at its end.
const stepped = uPlot.paths?.stepped?.({ align: 1 });

function windowed(view: ChartView, rows: Row[]): Row[] {
  const t = rows[0]!;
  if (t.length === 0) return rows;
  return rows.map((col, i) =>
    col.concat([i === 0 ? (t[t.length - 1] ?? 0) + view.windowS : (col[col.length - 1] ?? null)]),
  );
}

function steps(series: uPlot.Series[]): uPlot.Series[] {
  return series.map((s, i) => (i > 0 && stepped ? { ...s, paths: stepped, points: { show: false } } : s));
}

function chart(
  parent: HTMLElement,
  title: string,
  opts: Omit<uPlot.Options, 'width' | 'height'> & { height?: number },
  rows: Row[],
): uPlot {
  const box = document.createElement('div');
  box.className = 'chart';
  const head = document.createElement('div');
  head.className = 'chart-title';
  head.textContent = title;
  box.appendChild(head);
  parent.appendChild(box);
  const options: uPlot.Options = { ...opts, width: widthOf(parent), height: opts.height ?? 220 };
  return new uPlot(options, rows as uPlot.AlignedData, box);
}

type IngressView = ChartView['ingresses'][number];

/** What the charts of one ingress share: the time series and axis, and a cursor synced across them. */
interface IngressTime {
  xSeries: uPlot.Series;
  xAxis: uPlot.Axis;
  sync: uPlot.Cursor.Sync;
}

function drawRun(view: ChartView): void {
  const host = document.getElementById('charts');
  if (!host) return;
  for (const ing of view.ingresses) {
    const section = document.createElement('section');
    const h = document.createElement('h3');
    h.textContent = `ingress ${ing.name}`;
    section.appendChild(h);
    host.appendChild(section);
    if (ing.t.length === 0) {
      const p = document.createElement('p');
      p.textContent = 'no windows recorded';
      section.appendChild(p);
      continue;
    }
    const time: IngressTime = {
      sync: { key: `ingress-${ing.name}` },
      xSeries: { label: 'time', value: fmt(1, ' s') },
      xAxis: { label: 'seconds since the run started', values: secs },
    };
    drawLoad(section, view, ing, time);
    drawLatency(section, view, ing, time);
    drawServedBy(section, view, ing, time);
  }
}

function drawLoad(section: HTMLElement, view: ChartView, ing: IngressView, time: IngressTime): void {
  chart(
    section,
    'request rate and error rate',
    {
      scales: { x: { time: false }, rate: { range: atLeast(1, 1.15) }, err: { range: atLeast(5, 1.15) } },
      series: steps([
        time.xSeries,
        { label: 'requests/s', scale: 'rate', stroke: '#0969da', width: 1.5, value: fmt(1, '/s') },
        { label: 'errors %', scale: 'err', stroke: '#cf222e', width: 1.5, value: fmt(2, '%') },
      ]),
      axes: [
        time.xAxis,
        { scale: 'rate', label: 'requests/s' },
        { scale: 'err', side: 1, label: 'errors %', grid: { show: false } },
      ],
      cursor: { sync: time.sync },
      plugins: [overlay(view)],
    },
    windowed(view, [ing.t, ing.rate, ing.errorPct]),
  );
}

function drawLatency(section: HTMLElement, view: ChartView, ing: IngressView, time: IngressTime): void {
  chart(
    section,
    'latency p50 / p95 / p99 (ms)',
    {
      scales: { x: { time: false }, y: { range: atLeast(10, 1.1) } },
      series: steps([
        time.xSeries,
        { label: 'p50', stroke: '#1a7f37', width: 1.5, value: fmt(1, ' ms') },
        { label: 'p95', stroke: '#bf8700', width: 1.5, value: fmt(1, ' ms') },
        { label: 'p99', stroke: '#cf222e', width: 1.5, value: fmt(1, ' ms') },
      ]),
      axes: [time.xAxis, { label: 'ms' }],
      cursor: { sync: time.sync },
      plugins: [overlay(view)],
    },
    windowed(view, [ing.t, ing.p50, ing.p95, ing.p99]),
  );
}

function drawServedBy(section: HTMLElement, view: ChartView, ing: IngressView, time: IngressTime): void {
  const clusters = view.clusters.filter((c) => ing.servedBy[c]);
  if (ing.servedByNotMeasured && clusters.length === 0) {
    // No served-by mechanism for this ingress: say so; "not measured" is no cluster to draw.
    const p = document.createElement('p');
    p.className = 'muted';
    p.textContent = 'served by: not measured';
    section.appendChild(p);
    return;
  }
  chart(
    section,
    'share of requests served by each cluster (%)',
    {
      height: 180,
      scales: { x: { time: false }, y: { range: [0, 100] } },
      series: steps([
        time.xSeries,
        ...clusters.map((c): uPlot.Series => {
          const color = palette[view.clusters.indexOf(c) % palette.length];
          return { label: c, stroke: color, width: 1.5, value: fmt(0, '%') };
        }),
      ]),
      axes: [time.xAxis, { label: '%' }],
      cursor: { sync: time.sync },
      plugins: [overlay(view)],
    },
    windowed(view, [ing.t, ...clusters.map((c) => ing.servedBy[c]!)]),
  );
}

function drawIndex(index: Extract<ReportData, { kind: 'index' }>['index']): void {
  index.scenarios.forEach((s, i) => {
    const host = document.getElementById(`trend-${i}`);
    if (!host) return;
    const xs = s.points.map((_p, j) => j + 1);
    const labels = s.points.map((p) => p.label);
    chart(
      host,
      `${s.name}: worst p95 / p99 and error rate, run by run`,
      {
        height: 200,
        scales: {
          x: { time: false, range: [0.5, xs.length + 0.5] },
          ms: { range: atLeast(10, 1.1) },
          err: { range: atLeast(5, 1.15) },
        },
        series: [
          { label: 'run', value: (_u, v) => (v == null ? '-' : (labels[v - 1] ?? '')) },
          { label: 'p95', scale: 'ms', stroke: '#bf8700', width: 1.5, points: { show: true }, value: fmt(1, ' ms') },
          { label: 'p99', scale: 'ms', stroke: '#cf222e', width: 1.5, points: { show: true }, value: fmt(1, ' ms') },
          {
            label: 'errors %',
            scale: 'err',
            stroke: '#6639ba',
            width: 1.5,
            dash: [4, 3],
            points: { show: true },
            value: fmt(2, '%'),
          },
        ],
        axes: [
          { label: 'run', values: (_u, vals) => vals.map((v) => (Number.isInteger(v) ? String(v) : '')) },
          { scale: 'ms', label: 'ms' },
          { scale: 'err', side: 1, label: 'errors %', grid: { show: false } },
        ],
      },
      [xs, s.points.map((p) => p.p95), s.points.map((p) => p.p99), s.points.map((p) => p.errorPct)],
    );
  });
}

const data = JSON.parse(document.getElementById('report-data')?.textContent ?? 'null') as ReportData | null;
if (data?.kind === 'run') drawRun(data.view);
else if (data?.kind === 'index') drawIndex(data.index);
document.documentElement.setAttribute('data-charts', 'drawn');
