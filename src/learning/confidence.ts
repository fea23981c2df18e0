import { sql } from 'drizzle-orm';
import { type Database, queryRows } from '../db/client.js';
import { cardJson } from './cards.repository.js';
import {
  type CardState,
  DEFAULT_SCHEDULER_SETTINGS,
  newCard,
  ratingFor,
  reviewAnswer,
  type SchedulerSettings,
} from './scheduler.js';

interface LastReview {
  id: number;
  correct: boolean;
  sure: boolean | null;
  quick: boolean;
  reviewed_at: Date | string;
  card_before: Record<string, unknown> | null;
  last_review: Date | string | null;
  revision: number | null;
}

function cardFromJson(json: Record<string, unknown>): CardState {
  return {
    due: new Date(String(json.due)),
    stability: Number(json.stability),
    difficulty: Number(json.difficulty),
    state: Number(json.state) as CardState['state'],
    reps: Number(json.reps),
    lapses: Number(json.lapses),
    scheduledDays: Number(json.scheduledDays),
    learningSteps: Number(json.learningSteps),
    lastReview: json.lastReview ? new Date(String(json.lastReview)) : null,
  };
}

/**
 * What a confidence tap did: marked the answer, found it marked already (with that mark), found the
 * answer stored but not yet in the review log (`pending`: its card write is still on its way), or
 * found no such answer.
 */
export type ConfidenceMark =
  | { kind: 'marked'; sure: boolean }
  | { kind: 'already'; sure: boolean }
  | { kind: 'pending' }
  | { kind: 'none' };

/**
 * The "I was sure / I guessed" tap after an answer: records the confidence on that answer's review
 * and, when it is still the card's latest review, re-rates it (a lucky guess becomes Hard, a quick
 * sure answer Easy) from the card as it was before. The answer is the one given at `answeredAt`
 * (its review carries that instant), so buttons under an older answer to the same question mark
 * that older answer; without `answeredAt` (buttons from before it was carried) it is the person's
 * latest answer to the question. An answer is marked once: a second tap (two taps at once, or a
 * copy of the buttons) changes nothing and gets the mark that stands.
 *
 * @example await createConfidence(db)({ userId, questionId, sure: false, answeredAt })
 */
export function createConfidence(db: Database, settings: SchedulerSettings = DEFAULT_SCHEDULER_SETTINGS) {
  return async function markConfidence(options: {
    userId: string;
    questionId: string;
    sure: boolean;
    /** When the answer was given (its review's instant); the latest answer without it. */
    answeredAt?: Date;
  }): Promise<ConfidenceMark> {
    const { userId, questionId, sure, answeredAt } = options;
    const at = answeredAt?.toISOString();
    const [last] = await queryRows<LastReview>(
      db,
      sql`select r.id, r.correct, r.sure, r.quick, r.reviewed_at, r.card_before, c.last_review, c.revision
          from learning_reviews r
          left join learning_cards c on c.user_id = r.user_id and c.question_id = r.question_id
          where r.user_id = ${userId} and r.question_id = ${questionId}
            ${at === undefined ? sql`` : sql`and r.reviewed_at = ${at}::timestamptz`}
          order by r.reviewed_at desc, r.id desc limit 1`,
    );
    if (!last) return at === undefined ? { kind: 'none' } : await pendingOrNone(userId, questionId, at);
    if (last.sure !== null) return { kind: 'already', sure: last.sure };
    const reviewedAt = new Date(last.reviewed_at);
    const outcome = { correct: last.correct, quick: last.quick, sure, at: reviewedAt };
    const isCardsLatest =
      last.revision !== null &&
      last.last_review !== null &&
      new Date(last.last_review).getTime() === reviewedAt.getTime();
    const before = last.card_before ? cardFromJson(last.card_before) : newCard(reviewedAt);
    const card = isCardsLatest ? cardJson(reviewAnswer(before, outcome, settings).card) : null;
    // Only the tap that finds the answer unmarked writes: the card follows the review's update, so
    // of two taps at once only the first re-rates the card.
    const [marked] = await queryRows<{ id: number }>(
      db,
      sql`with review as (
            update learning_reviews set sure = ${sure}, rating = ${ratingFor(outcome)}
            where id = ${last.id} and sure is null
            returning id
          ), card as (
            update learning_cards c set
              due = (x.card->>'due')::timestamptz, stability = (x.card->>'stability')::float8,
              difficulty = (x.card->>'difficulty')::float8, state = (x.card->>'state')::smallint,
              reps = (x.card->>'reps')::int, lapses = (x.card->>'lapses')::int,
              scheduled_days = (x.card->>'scheduledDays')::int, learning_steps = (x.card->>'learningSteps')::int,
              last_review = (x.card->>'lastReview')::timestamptz, revision = c.revision + 1
            from (select ${card === null ? null : JSON.stringify(card)}::jsonb as card) x, review
            where x.card is not null and c.user_id = ${userId} and c.question_id = ${questionId}
              and c.revision = ${last.revision ?? -1}
            returning c.user_id
          )
          select id from review`,
    );
    if (marked) return { kind: 'marked', sure };
    const [now] = await queryRows<{ sure: boolean | null }>(
      db,
      sql`select sure from learning_reviews where id = ${last.id}`,
    );
    return { kind: 'already', sure: now?.sure ?? sure };
  };

  /**
   * An answer with no review yet: its card write (just after the answer's commit, maybe in another
   * process) has not landed, so there is nothing to mark yet. Marking some other review instead
   * would mark the wrong answer. No answer at that instant at all: nothing to mark, ever.
   */
  async function pendingOrNone(userId: string, questionId: string, at: string): Promise<ConfidenceMark> {
    const [answer] = await queryRows<{ found: number }>(
      db,
      sql`select 1 as found from practice_answers
          where user_id = ${userId} and question_id = ${questionId} and answered_at = ${at}::timestamptz
          union all
          select 1 from answers a join posts p on p.id = a.post_id
          where a.user_id = ${userId} and p.question_id = ${questionId} and a.answered_at = ${at}::timestamptz
          limit 1`,
    );
    return answer ? { kind: 'pending' } : { kind: 'none' };
  }
}
