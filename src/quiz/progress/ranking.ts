import type { AnswersRepository } from '../daily/answers.repository.js';
import { currentStreak } from '../scoring.js';
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

/** The current streak of each (channel, person), in order, read in one query. */
export async function streaksOf(
  answers: AnswersRepository,
  wanted: Array<{ channelId: string; userId: string }>,
): Promise<number[]> {
  const histories = await answers.streakFlags(wanted.map((w) => ({ ...w, answering: null })));
  return histories.map(({ flags, newestStatus }) =>
    currentStreak(
      // Only the newest post's status matters to a streak: an open, unanswered one does not break it.
      [...flags].map((f, i) => ({
        answered: f === '1',
        status: i === 0 ? (newestStatus ?? 'closed') : 'closed',
      })),
    ),
  );
}
