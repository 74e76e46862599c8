/**
 * The chat message of `--notify`: Slack's incoming-webhook JSON (`text`, the fallback every
 * Slack-compatible receiver shows — Mattermost, Rocket.Chat, Discord's /slack endpoint — and
 * `blocks` for Slack itself). One message per run, or one per suite or batch. What failed comes
 * first, harness errors before budget breaches: a fault left applied or a broken harness is the
 * thing to act on. Pure; free text is scrubbed.
 */
import { describeVerdict, statusWord } from './format-values.js';
import type { RunResult } from './result-schema.js';
import { scrubText } from './scrub.js';

export interface ChatMessage {
  text: string;
  blocks: Array<{ type: 'section'; text: { type: 'mrkdwn'; text: string } } | { type: 'divider' }>;
}

/** A scenario of a suite as the message shows it: its result, or why it has none. */
export type NotifiedRun =
  | { kind: 'run'; result: RunResult; where: string }
  | { kind: 'error'; scenario: string; exitCode: number; message: string; where: string | null };

/** At most this many lines of "what failed" per run: a chat message is a pointer, not the report. */
const maxProblems = 6;

const one = (text: string) => scrubText(text).replace(/\s*\n\s*/g, ' ');

/** What went wrong in a run, harness errors first, then breached budgets. Empty for a passed run. */
export function problemsOf(result: RunResult): string[] {
  const harness: string[] = [];
  for (const failure of result.faults.revertAll?.failures ?? [])
    harness.push(`harness: fault ${failure.faultId} in ${failure.cluster} NOT reverted: ${failure.message}`);
  const k6 = result.k6;
  if (k6 && (k6.kind === 'crashed' || k6.kind === 'script-error'))
    harness.push(`harness: k6 ${k6.kind}: ${k6.message}`);
  if (result.stop.kind !== 'completed') harness.push(`${result.stop.kind}: ${result.stop.reason}`);
  const budgets =
    result.outcome.expectation === 'fail'
      ? []
      : result.verdicts.filter((verdict) => !verdict.pass).map((verdict) => `budget ${describeVerdict(verdict)}`);
  return [...harness, ...budgets].map(one);
}

const headline = (result: RunResult) =>
  `${result.outcome.status === 'passed' ? '✅' : '❌'} chaos: ${result.scenario.name} ${statusWord(result)} (exit ${result.outcome.exitCode}) on ${result.environment.name}`;

function bounded(lines: string[]): string[] {
  if (lines.length <= maxProblems) return lines;
  return [...lines.slice(0, maxProblems), `… and ${lines.length - maxProblems} more (see the report)`];
}

function runLines(run: NotifiedRun): string[] {
  if (run.kind === 'error')
    return [
      `❌ chaos: ${run.scenario}: harness error, no result (exit ${run.exitCode})`,
      `• harness: ${one(run.message)}`,
      ...(run.where ? [`report: ${run.where}`] : []),
    ];
  const { result } = run;
  return [
    headline(result),
    one(result.outcome.reason),
    ...bounded(problemsOf(result)).map((line) => `• ${line}`),
    `report: ${run.where}`,
  ];
}

function message(lines: string[][]): ChatMessage {
  const blocks: ChatMessage['blocks'] = [];
  for (const [index, section] of lines.entries()) {
    if (index > 0) blocks.push({ type: 'divider' });
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: section.join('\n') } });
  }
  return { text: lines.map((section) => section.join('\n')).join('\n\n'), blocks };
}

/** The message at the end of one run; `where` is the report's path or URL. */
export function runNotification(result: RunResult, where: string): ChatMessage {
  return message([runLines({ kind: 'run', result, where })]);
}

/** The message when a run ended without a result (it broke before it was judged). */
export function brokenRunNotification(run: Extract<NotifiedRun, { kind: 'error' }>): ChatMessage {
  return message([runLines(run)]);
}

/** The message at the end of a suite or batch: a headline, then each scenario that did not pass. */
export function suiteNotification(
  suite: { name: string; exitCode: number; where: string; notRun: number },
  runs: readonly NotifiedRun[],
): ChatMessage {
  const passed = runs.filter((run) => run.kind === 'run' && run.result.outcome.status === 'passed');
  const failing = runs.filter((run) => !passed.includes(run));
  // Scenarios without a result (harness errors) before the ones that were judged and failed.
  failing.sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'error' ? -1 : 1));
  const head = [
    `${failing.length === 0 && suite.exitCode === 0 ? '✅' : '❌'} chaos suite ${suite.name}: ${passed.length} of ${runs.length} passed${suite.notRun > 0 ? `, ${suite.notRun} not run` : ''} (exit ${suite.exitCode})`,
    `report: ${suite.where}`,
  ];
  return message([head, ...failing.map(runLines)]);
}
