/**
 * What a user's k6 script produces, read from its source without running it: the custom
 * metrics it declares (`new Trend('journey_ms')`, `new Rate(...)`, `new Counter(...)`) and the
 * tags it sets (`tags: { name: 'home', journey: 'pay' }`). Validation uses these to name a
 * budget's metric or tag that the script never produces. A static read on purpose: k6 scripts
 * declare metrics in the init context with literal names, as k6's own docs write them.
 */
import type { ScriptMetricKind, ScriptFacts } from '../budgets/threshold.js';

const metricPattern = /new\s+(Trend|Rate|Counter|Gauge)\s*\(\s*(['"`])([A-Za-z_][A-Za-z0-9_]*)\2/g;
const tagsBlockPattern = /\btags\s*:\s*\{([^{}]*)\}/g;
const tagEntryPattern = /([A-Za-z_][A-Za-z0-9_]*|'[^']*'|"[^"]*")\s*:\s*(?:(['"`])([^'"`]*)\2)?/g;
/** `exec.vu.metrics.tags.journey = 'pay'` or `...tags['journey'] = ...`. */
const vuTagPattern =
  /metrics\.tags(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[\s*['"]([^'"]+)['"]\s*\])\s*=\s*(?:(['"`])([^'"`]*)\3)?/g;

const kinds: Record<string, ScriptMetricKind | undefined> = { Trend: 'trend', Rate: 'rate', Counter: 'counter' };

/** `scenarios: {` in the script: it declares its own k6 scenarios (read as literally as the rest). */
const ownScenariosPattern = /\bscenarios\s*:\s*\{/;

export function readScriptFacts(source: string): ScriptFacts & { gauges: string[]; ownScenarios: boolean } {
  const metrics: Record<string, ScriptMetricKind> = {};
  const gauges: string[] = [];
  for (const match of source.matchAll(metricPattern)) {
    const kind = kinds[match[1]!];
    if (kind) metrics[match[3]!] = kind;
    else gauges.push(match[3]!);
  }
  const tags: Record<string, string[]> = {};
  const note = (tag: string, value: string | undefined) => {
    const values = (tags[tag] ??= []);
    if (value !== undefined && !values.includes(value)) values.push(value);
  };
  for (const block of source.matchAll(tagsBlockPattern)) {
    for (const entry of block[1]!.matchAll(tagEntryPattern)) {
      const tag = entry[1]!.replace(/^['"]|['"]$/g, '');
      // A value that is not a literal (a variable) makes the tag's values unknown: accept any.
      if (entry[3] === undefined) tags[tag] = [];
      else if (tags[tag]?.length !== 0 || !(tag in tags)) note(tag, entry[3]);
    }
  }
  for (const match of source.matchAll(vuTagPattern)) {
    const tag = match[1] ?? match[2]!;
    if (match[4] === undefined) tags[tag] = [];
    else note(tag, match[4]);
  }
  return { metrics, tags, gauges, ownScenarios: ownScenariosPattern.test(source) };
}
