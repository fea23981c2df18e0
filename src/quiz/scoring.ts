/** Points for a correct answer to a question of the day, by difficulty. */
export const BASE_POINTS = { 1: 10, 2: 20, 3: 30 } as const;
/** Extra points per day of the current streak, capped, so steady practice beats one lucky day. */
export const STREAK_BONUS_PER_DAY = 2;
export const STREAK_BONUS_CAP = 10;

/**
 * Points for one answer. Only answers given while the question is open score, and the streak
 * bonus counts only days answered on time, so waiting for the reveal never pays.
 */
export function pointsFor(options: { correct: boolean; difficulty: 1 | 2 | 3; streak: number }): number {
  if (!options.correct) return 0;
  return BASE_POINTS[options.difficulty] + Math.min(options.streak * STREAK_BONUS_PER_DAY, STREAK_BONUS_CAP);
}

/**
 * Consecutive questions of the day answered, counting back from the newest. A question still open
 * and not yet answered does not break the streak: there is still time.
 */
export function currentStreak(history: Array<{ status: string; answered: boolean }>): number {
  let streak = 0;
  for (const [i, post] of history.entries()) {
    if (post.answered) streak++;
    else if (i === 0 && post.status === 'open') continue;
    else break;
  }
  return streak;
}
