/** A series as a line of block characters (pure): the game-day screen, gameday.md, the reports index. */

const blocks = '▁▂▃▄▅▆▇█';

/**
 * A sparkline of the newest `width` values, scaled to the largest (at least `floor`, so a flat
 * low series stays low); nulls (no data) as blanks; padded on the left to `width`.
 */
export function sparkline(values: ReadonlyArray<number | null>, width: number, floor = 0): string {
  const shown = values.slice(-width);
  const max = Math.max(floor, ...shown.map((v) => v ?? 0));
  const line = shown
    .map((v) => (v === null ? ' ' : blocks[max <= 0 ? 0 : Math.min(7, Math.round((v / max) * 7))]!))
    .join('');
  return line.padStart(width, ' ');
}
