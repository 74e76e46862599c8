/**
 * Who served each ingress, for `gameday.md` (pure, from the run's windows): a row on the timeline
 * whenever an ingress turns to being served mostly by other clusters or back, and per step and
 * ingress the shares over the step with a sparkline of the remote share window by window.
 *
 * A turn needs two windows in a row past the line (remote share ≥ 60 % to turn remote, ≤ 40 % to
 * turn back), so one odd window or a share wavering around one half writes no rows.
 */
import { addServedCounts, describeServedBy, remoteShare, type ServedCounts } from '../../report/served-by-shares.js';
import { sparkline } from '../../report/sparkline.js';

export interface ServedWindow extends ServedCounts {
  ingress: string;
  startMs: number;
  phase: string;
}

const turnRemote = 0.6;
const turnLocal = 0.4;
const confirmWindows = 2;
const plotWidth = 40;

const percent = (share: number) => `${Math.round(share * 100)}%`;

/** Timeline rows: who served each ingress first, and every turn to other clusters or back. */
export function servedTurns(
  windows: readonly ServedWindow[],
  clusters: readonly string[],
): Array<{ atMs: number; text: string }> {
  const rows: Array<{ atMs: number; text: string }> = [];
  for (const ingress of new Set(windows.map((w) => w.ingress))) {
    let side: 'local' | 'remote' | undefined;
    let streak: ServedWindow[] = [];
    for (const window of windows.filter((w) => w.ingress === ingress)) {
      const share = remoteShare(ingress, window, clusters);
      if (share === null) continue;
      if (side === undefined) {
        side = share >= 0.5 ? 'remote' : 'local';
        rows.push({ atMs: window.startMs, text: `ingress **${ingress}** served by ${describeServedBy(window)}` });
        continue;
      }
      const past = side === 'local' ? share >= turnRemote : share <= turnLocal;
      streak = past ? [...streak, window] : [];
      if (streak.length < confirmWindows) continue;
      side = side === 'local' ? 'remote' : 'local';
      const counts = addServedCounts(streak);
      rows.push({
        atMs: streak[0]!.startMs,
        text:
          side === 'remote'
            ? `ingress **${ingress}** now served mostly by other clusters: ${describeServedBy(counts)} (remote ${percent(remoteShare(ingress, counts, clusters) ?? 0)})`
            : `ingress **${ingress}** served by its own cluster again: ${describeServedBy(counts)}`,
      });
      streak = [];
    }
  }
  return rows;
}

/** Averages neighbouring values so a long step fits `width` characters (nulls ignored). */
function squeeze(values: ReadonlyArray<number | null>, width: number): Array<number | null> {
  if (values.length <= width) return [...values];
  return Array.from({ length: width }, (_, i) => {
    const part = values
      .slice(Math.floor((i * values.length) / width), Math.floor(((i + 1) * values.length) / width))
      .filter((v): v is number => v !== null);
    return part.length === 0 ? null : part.reduce((a, b) => a + b, 0) / part.length;
  });
}

/** The section under the timeline: per step (in the order they ran) and ingress, who served. */
export function servedSection(windows: readonly ServedWindow[], clusters: readonly string[]): string[] {
  if (windows.length === 0) return [];
  const lines = [
    '## Who served each ingress',
    '',
    `Remote share: requests answered by another cluster than the ingress's own (sparkline one character per window, ${plotWidth} at most; ▁ none, █ all).`,
    '',
    '| step | ingress | served by | remote share |',
    '|---|---|---|---|',
  ];
  const steps = [...new Set(windows.map((w) => w.phase))].filter((phase) => phase !== 'outside');
  for (const step of steps)
    for (const ingress of new Set(windows.map((w) => w.ingress))) {
      const mine = windows.filter((w) => w.phase === step && w.ingress === ingress);
      if (mine.length === 0) continue;
      const total = addServedCounts(mine);
      const share = remoteShare(ingress, total, clusters);
      const plot = sparkline(
        squeeze(
          mine.map((w) => remoteShare(ingress, w, clusters)),
          plotWidth,
        ),
        Math.min(plotWidth, mine.length),
        1,
      );
      lines.push(
        `| ${step} | ${ingress} | ${describeServedBy(total) || '-'} | ${share === null ? '-' : `${percent(share)} \`${plot}\``} |`,
      );
    }
  return ['', ...lines];
}
