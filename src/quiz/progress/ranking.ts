import type { RankedRow } from '../types.js';
import type { LeaderboardRow } from './progress.repository.js';

/** Competition ranking: equal points share a rank, and the next rank skips ("1, 1, 3"). */
export function rank(rows: LeaderboardRow[]): RankedRow[] {
  const sorted = [...rows].sort((a, b) => b.points - a.points || a.name.localeCompare(b.name));
  let rankSoFar = 0;
  return sorted.map((row, i) => {
    if (i === 0 || (sorted[i - 1] as LeaderboardRow).points !== row.points) rankSoFar = i + 1;
    return { ...row, rank: rankSoFar };
  });
}
