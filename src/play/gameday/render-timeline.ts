/**
 * `gameday.md`: the game day's timeline to discuss afterwards (pure, from the journal and the
 * windows): when each step really started, when each fault was applied, took effect and was
 * reverted, what the facilitator did, every note with the time it was written, and who served
 * each ingress (its turns to other clusters and back, and the shares per step). report.html
 * shows the same notes on its charts (src/report).
 */
import type { JournalEntry } from '../../run/record/run-events.js';
import { servedSection, servedTurns, type ServedWindow } from './served-timeline.js';

const utc = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');

function offset(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  return `+${String(Math.floor(total / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

function describe(entry: JournalEntry): string | undefined {
  switch (entry.type) {
    case 'phase-started':
      return `**step ${entry.phase}** started (planned ${Math.round(entry.plannedMs / 1000)}s)`;
    case 'fault-applied':
      return `fault ${entry.faultId} applied in ${entry.cluster}, effective after ${((entry.effectiveAtMs - entry.atMs) / 1000).toFixed(1)}s`;
    case 'fault-reverted':
      return `fault ${entry.faultId} reverted in ${entry.cluster}${entry.ok ? '' : ' — NOT completely'}`;
    case 'fault-failed':
      return `fault ${entry.faultId} failed in ${entry.cluster} (${entry.stage}): ${entry.error}`;
    case 'note':
      return `📝 **note**${entry.author ? ` (${entry.author})` : ''}: ${entry.text}`;
    case 'abort':
      return `**abort**: ${entry.reason}`;
    case 'revert-all':
      return `revert everything (${entry.reason}), done in ${((entry.finishedAtMs - entry.atMs) / 1000).toFixed(1)}s${entry.failures.length ? `; NOT reverted: ${entry.failures.join('; ')}` : ''}`;
    case 'load-started':
      return 'load flowing through every ingress';
    case 'log':
      return entry.message.startsWith('facilitator: ') ? `🎛 ${entry.message}` : undefined;
    case 'verdict':
      return `**verdict: ${entry.verdict}** — ${entry.summary}`;
    default:
      return undefined;
  }
}

export function renderTimeline(
  entries: readonly JournalEntry[],
  outcome?: { status: string; reason: string },
  served?: { windows: readonly ServedWindow[]; clusters: readonly string[] },
): string {
  const start = entries.find((entry) => entry.type === 'run-started');
  const origin = start?.atMs ?? entries[0]?.atMs ?? 0;
  const title =
    start && start.type === 'run-started'
      ? `${start.scenario} on ${start.environment} (run ${start.runId})`
      : 'game day';
  const events = entries.flatMap((entry) => {
    const text = describe(entry);
    return text === undefined ? [] : [{ atMs: entry.atMs, text }];
  });
  const turns = served ? servedTurns(served.windows, served.clusters) : [];
  // Stable: at the same time, journal entries in their order, then turns of who served.
  const rows = [...events, ...turns]
    .map((row, index) => ({ ...row, index }))
    .sort((a, b) => a.atMs - b.atMs || a.index - b.index)
    .map(({ atMs, text }) => `| ${offset(atMs - origin)} | ${utc(atMs)} | ${cell(text)} |`);
  const notes = entries.filter((entry): entry is Extract<JournalEntry, { type: 'note' }> => entry.type === 'note');
  const lines = [
    `# Game day: ${title}`,
    '',
    `Started ${utc(origin)}. ${notes.length} note${notes.length === 1 ? '' : 's'}.${outcome ? ` Outcome: **${outcome.status}** — ${cell(outcome.reason)}.` : ''}`,
    '',
    '| time | UTC | what happened |',
    '|---|---|---|',
    ...rows,
    ...(served ? servedSection(served.windows, served.clusters) : []),
  ];
  return `${lines.join('\n')}\n`;
}
