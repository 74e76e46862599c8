import { closest, distance } from 'fastest-levenshtein';

/** "did you mean `replicas`?" — only when a candidate is close enough to be a typo. */
export function suggest(input: string, candidates: readonly string[]): string | undefined {
  if (candidates.length === 0) return undefined;
  const best = closest(input, [...candidates]);
  return distance(input, best) <= Math.max(2, Math.floor(input.length / 3)) ? `did you mean \`${best}\`?` : undefined;
}
