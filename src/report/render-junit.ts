/**
 * junit.xml in the common JUnit format (the Jenkins / Ant shape that GitHub Actions, GitLab
 * and Jenkins read): one <testsuite> per scenario, one <testcase> per budget × phase × ingress,
 * plus one `run` testcase for the run as a whole (expectation, abort, harness error, revert).
 * Pure: from results and journals to text.
 */
import { timingProperties } from './junit-timing.js';
import { create } from 'xmlbuilder2';
import {
  describeVerdict,
  formatMs,
  formatPercent,
  formatShares,
  runDurationMs,
  verdictCounts,
} from './format-values.js';
import type { BatchItem, RunReport } from './report-input.js';
import type { ResultVerdict, RunResult } from './result-schema.js';
import { comparisonProperties, outcomeWord, verdictNote } from './format-comparison.js';
import { scrubText } from './scrub.js';

type XMLBuilder = ReturnType<typeof create>;

/**
 * Text for the XML builder: without the control characters XML 1.0 cannot carry (k6 logs may
 * hold ANSI colour codes), and with every `&` escaped here, because xmlbuilder2 leaves
 * entity-like text (`&amp;`, `&foo;`) as it is — which would change the text or break the file.
 */
function xmlSafe(text: string): string {
  return scrubText(text)
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;');
}

/** Seconds with millisecond precision, as the schema's decimal type wants. */
/** Every attribute value through xmlSafe. */
const safe = (attributes: Record<string, string>) =>
  Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, xmlSafe(v)]));
const seconds = (ms: number) => (Math.max(0, ms) / 1000).toFixed(3);
/** `2026-11-22T02:47:32`: the strictest timestamp form in use (no zone, no fraction; UTC). */
const timestamp = (iso: string) => iso.slice(0, 19);

interface Tally {
  tests: number;
  failures: number;
  errors: number;
  ms: number;
}

export function renderJunit(items: readonly BatchItem[]): string {
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele('testsuites');
  const total: Tally = { tests: 0, failures: 0, errors: 0, ms: 0 };
  items.forEach((item, index) => {
    const tally = item.kind === 'run' ? addRunSuite(root, item.report, index) : addErrorSuite(root, item, index);
    total.tests += tally.tests;
    total.failures += tally.failures;
    total.errors += tally.errors;
    total.ms += tally.ms;
  });
  root.att({
    name: 'chaos',
    tests: String(total.tests),
    failures: String(total.failures),
    errors: String(total.errors),
    time: seconds(total.ms),
  });
  return `${root.end({ prettyPrint: true, indent: '  ' })}\n`;
}

function addRunSuite(root: XMLBuilder, report: RunReport, index: number): Tally {
  const { result } = report;
  const negativeControl = result.outcome.expectation === 'fail';
  const cases = result.verdicts.map((verdict) => ({ verdict, failed: !verdict.pass && !negativeControl }));
  const run = runCase(result);
  const tally: Tally = {
    tests: cases.length + 1,
    failures: cases.filter((c) => c.failed).length + (run.kind === 'failure' ? 1 : 0),
    errors: run.kind === 'error' ? 1 : 0,
    ms: runDurationMs(result),
  };
  const suite = root.ele(
    'testsuite',
    safe({
      name: result.scenario.name,
      tests: String(tally.tests),
      failures: String(tally.failures),
      errors: String(tally.errors),
      skipped: '0',
      time: seconds(tally.ms),
      timestamp: timestamp(result.startedAt),
      hostname: result.environment.name,
      id: String(index),
      package: 'chaos',
    }),
  );
  const props = suite.ele('properties');
  for (const [name, value] of properties(report)) props.ele('property', safe({ name, value }));
  const phaseMs = new Map(result.phaseStats.map((s) => [s.phase, s.durationMs]));
  for (const { verdict, failed } of cases) {
    const testcase = suite.ele(
      'testcase',
      safe({
        name: caseName(verdict),
        classname: `${result.scenario.name}.${verdict.phase}.${verdict.ingress}`,
        time: seconds(phaseMs.get(verdict.phase) ?? 0),
      }),
    );
    const note = verdictNote(verdict);
    const sentence = xmlSafe(`${describeVerdict(verdict)}${note ? ` [${outcomeWord(verdict)}: ${note}]` : ''}`);
    if (failed)
      testcase
        .ele('failure', { message: sentence, type: 'BudgetBreached' })
        .txt(xmlSafe(`${sentence}\n${phaseLine(result, verdict)}`));
    else if (!verdict.pass)
      testcase.ele('system-out').txt(`${sentence} (expected: this scenario is a negative control)`);
  }
  const testcase = suite.ele(
    'testcase',
    safe({
      name: 'run: verdicts match the expectation and every fault was reverted',
      classname: `${result.scenario.name}.run`,
      time: seconds(tally.ms),
    }),
  );
  if (run.kind !== 'ok')
    testcase.ele(run.kind, { message: xmlSafe(run.message), type: run.type }).txt(xmlSafe(run.detail));
  suite.ele('system-out').txt(xmlSafe(`${result.outcome.status.toUpperCase()}: ${result.outcome.reason}`));
  return tally;
}

function addErrorSuite(root: XMLBuilder, item: Extract<BatchItem, { kind: 'error' }>, index: number): Tally {
  const suite = root.ele(
    'testsuite',
    safe({
      name: item.scenario,
      tests: '1',
      failures: '0',
      errors: '1',
      skipped: '0',
      time: seconds(0),
      id: String(index),
      package: 'chaos',
    }),
  );
  suite
    .ele(
      'testcase',
      safe({
        name: 'run: verdicts match the expectation and every fault was reverted',
        classname: `${item.scenario}.run`,
        time: seconds(0),
      }),
    )
    .ele('error', { message: xmlSafe(item.message), type: 'HarnessError' })
    .txt(xmlSafe(`exit code ${item.exitCode}: ${item.message}`));
  return { tests: 1, failures: 0, errors: 1, ms: 0 };
}

/** The phase × ingress around a verdict: what else a reader wants to see next to a breach. */
function phaseLine(result: RunResult, verdict: ResultVerdict): string {
  const stats = result.phaseStats.find((s) => s.phase === verdict.phase && s.ingress === verdict.ingress)?.stats;
  if (!stats) return `no requests recorded in phase ${verdict.phase} on ingress ${verdict.ingress}`;
  return (
    `phase ${verdict.phase}, ingress ${verdict.ingress}: ${stats.requests} requests, ${stats.failures} failed (${formatPercent(stats.errorRate)}), ` +
    `p50 ${formatMs(stats.p50)}, p95 ${formatMs(stats.p95)}, p99 ${formatMs(stats.p99)}, max ${formatMs(stats.max)}; served by ${formatShares(stats.servedBy)}`
  );
}

/** `http_req_failed: rate<0.01 [phase fault, ingress central]` — budget, phase and ingress in one line. */
function caseName(verdict: ResultVerdict): string {
  return `${verdict.budget} [phase ${verdict.phase}, ingress ${verdict.ingress}]`;
}

type RunCase = { kind: 'ok' } | { kind: 'failure' | 'error'; type: string; message: string; detail: string };

function runCase(result: RunResult): RunCase {
  const { outcome } = result;
  const unreverted = result.faults.revertAll?.failures ?? [];
  if (unreverted.length > 0) {
    const detail = unreverted.map((f) => `${f.faultId} in ${f.cluster}: ${f.message}; by hand: ${f.manual}`).join('\n');
    return {
      kind: 'error',
      type: 'RevertFailed',
      message: `${unreverted.length} fault(s) could not be reverted`,
      detail,
    };
  }
  switch (outcome.status) {
    case 'passed':
      return { kind: 'ok' };
    case 'error':
      return { kind: 'error', type: 'HarnessError', message: outcome.reason, detail: outcome.reason };
    case 'interrupted':
      return { kind: 'error', type: 'Interrupted', message: outcome.reason, detail: outcome.reason };
    case 'aborted':
      return { kind: 'failure', type: 'AbortLimitBreached', message: outcome.reason, detail: outcome.reason };
    case 'failed': {
      const counts = verdictCounts(result);
      const message =
        outcome.expectation === 'fail'
          ? `negative control failed: all ${counts.total} budget verdicts held, so the harness did not see the outage it expected`
          : `${counts.failed} of ${counts.total} budget verdicts failed`;
      return {
        kind: 'failure',
        type: outcome.expectation === 'fail' ? 'NegativeControlHeld' : 'BudgetsBreached',
        message,
        detail: outcome.reason,
      };
    }
    case 'inconclusive':
      return { kind: 'failure', type: 'Inconclusive', message: outcome.reason, detail: outcome.reason };
    case 'invalid':
      return { kind: 'failure', type: 'NegativeControlInvalid', message: outcome.reason, detail: outcome.reason };
  }
}

function properties(report: RunReport): Array<[string, string]> {
  const { result } = report;
  return [
    ['run.id', result.runId],
    ['run.folder', report.folder],
    ['run.status', result.outcome.status],
    ['run.exitCode', String(result.outcome.exitCode)],
    ['scenario.expect', result.outcome.expectation],
    ['environment', result.environment.name],
    ...result.environment.clusters.map((c): [string, string] => [`cluster.${c.name}.context`, c.context]),
    ['version.chaos', result.versions.chaos],
    ['version.k6', result.versions.k6],
    ...timingProperties(result),
    ...comparisonProperties(result.comparisons),
  ];
}
