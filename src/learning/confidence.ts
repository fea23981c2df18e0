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

/** What a confidence tap did: marked the answer, found it marked already (with that mark), or found none. */
export type ConfidenceMark =
  | { kind: 'marked'; sure: boolean }
  | { kind: 'already'; sure: boolean }
  | { kind: 'none' };

/**
 * The "I was sure / I guessed" tap after an answer: records the confidence on the person's latest
 * answer to that question and, when that answer is still the card's latest review, re-rates it (a
 * lucky guess becomes Hard, a quick sure answer Easy) from the card as it was before. An answer is
 * marked once: a second tap (two taps at once, or a copy of the buttons) changes nothing and gets
 * the mark that stands.
 *
 * @example await createConfidence(db)({ userId, questionId, sure: false })
 */
export function createConfidence(db: Database, settings: SchedulerSettings = DEFAULT_SCHEDULER_SETTINGS) {
  return async function markConfidence(options: {
    userId: string;
    questionId: string;
    sure: boolean;
  }): Promise<ConfidenceMark> {
    const { userId, questionId, sure } = options;
    const [last] = await queryRows<LastReview>(
      db,
      sql`select r.id, r.correct, r.sure, r.quick, r.reviewed_at, r.card_before, c.last_review, c.revision
          from learning_reviews r
          left join learning_cards c on c.user_id = r.user_id and c.question_id = r.question_id
          where r.user_id = ${userId} and r.question_id = ${questionId}
          order by r.reviewed_at desc, r.id desc limit 1`,
    );
    if (!last) return { kind: 'none' };
    if (last.sure !== null) return { kind: 'already', sure: last.sure };
    const at = new Date(last.reviewed_at);
    const outcome = { correct: last.correct, quick: last.quick, sure, at };
    const isCardsLatest =
      last.revision !== null &&
      last.last_review !== null &&
      new Date(last.last_review).getTime() === at.getTime();
    const before = last.card_before ? cardFromJson(last.card_before) : newCard(at);
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
}
