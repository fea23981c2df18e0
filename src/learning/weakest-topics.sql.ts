import { type SQL, sql } from 'drizzle-orm';
import { HALF_LIFE_DAYS, MIN_ANSWERS, PRIOR_CORRECT, PRIOR_WRONG, WEAK_BELOW } from '../quiz/weak-topics.js';

/** Weak topics considered at once, weakest first. */
export const WEAK_TOPICS = 3;

/**
 * A query for one person's weakest topics (`topic`, `score`), weakest first, measured as
 * quiz/weak-topics.ts measures them (smoothed, half weight after HALF_LIFE_DAYS, at least
 * MIN_ANSWERS answers, below WEAK_BELOW) but over the learning engine's review log, in SQL.
 */
export function weakestTopicsQuery(userId: string, now: Date, limit = WEAK_TOPICS): SQL {
  return sql`select topic, score from (
      select topic, count(*) as answered,
             (sum(case when correct then w else 0 end) + ${PRIOR_CORRECT}::float8)
               / (sum(w) + ${PRIOR_CORRECT + PRIOR_WRONG}::float8) as score
      from (select topic, correct,
                   -- float8 throughout: extract() gives numeric, whose power() is a hundred times slower.
                   power(0.5::float8, greatest(0, extract(epoch from ${now.toISOString()}::timestamptz - reviewed_at)::float8)
                                      / ${HALF_LIFE_DAYS * 86_400}::float8) as w
            from learning_reviews where user_id = ${userId}) r
      group by topic) t
    where answered >= ${MIN_ANSWERS} and score < ${WEAK_BELOW}
    order by score, answered desc limit ${limit}`;
}
