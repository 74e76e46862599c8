/**
 * Series as OpenMetrics 1.0 text, with timestamps: one block per family (TYPE, UNIT, HELP, then
 * its samples, each series' samples together and in time order), `# EOF` at the end. Prometheus
 * can load the file afterwards (`promtool tsdb create-blocks-from openmetrics`), e.g. when the
 * live push could not reach it.
 */
import { familyOrder, sampleName, type MetricFamily } from './metric-families.js';
import { endSeries, windowSeriesOf, type SeriesSample } from './run-series.js';
import type { RunResult } from '../result-schema.js';

/** A label value or HELP text in OpenMetrics' escaping (backslash, double quote, newline). */
function escaped(text: string, quote: boolean): string {
  const backslashed = text.replaceAll('\\', '\\\\').replaceAll('\n', '\\n');
  return quote ? backslashed.replaceAll('"', '\\"') : backslashed;
}

/** Label names in a fixed order (sorted), so one series is always written the same way. */
function labelText(labels: Readonly<Record<string, string>>): string {
  const pairs = Object.keys(labels)
    .sort()
    .map((name) => `${name}="${escaped(labels[name]!, true)}"`);
  return `{${pairs.join(',')}}`;
}

function numberText(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/** Milliseconds since the epoch as OpenMetrics' seconds, exactly (no float rounding of the ms). */
function timestampText(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(Math.round(ms));
  return `${sign}${Math.floor(abs / 1000)}.${String(abs % 1000).padStart(3, '0')}`;
}

function familyBlock(family: MetricFamily, samples: readonly SeriesSample[]): string[] {
  const lines = [`# TYPE ${family.name} ${family.type}`];
  if (family.unit) lines.push(`# UNIT ${family.name} ${family.unit}`);
  lines.push(`# HELP ${family.name} ${escaped(family.help, false)}`);
  const bySeries = new Map<string, SeriesSample[]>();
  for (const sample of samples) {
    const key = labelText(sample.labels);
    const list = bySeries.get(key);
    if (list) list.push(sample);
    else bySeries.set(key, [sample]);
  }
  const name = sampleName(family);
  for (const [labels, list] of bySeries)
    for (const sample of [...list].sort((a, b) => a.timestampMs - b.timestampMs))
      lines.push(`${name}${labels} ${numberText(sample.value)} ${timestampText(sample.timestampMs)}`);
  return lines;
}

export function renderOpenMetrics(samples: readonly SeriesSample[]): string {
  const lines: string[] = [];
  for (const family of familyOrder) {
    const own = samples.filter((sample) => sample.family.name === family.name);
    if (own.length > 0) lines.push(...familyBlock(family, own));
  }
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

/** The OpenMetrics file of a finished run: every window's series and the end series. */
export function renderRunOpenMetrics(result: RunResult): string {
  return renderOpenMetrics([...windowSeriesOf(result), ...endSeries(result)]);
}
