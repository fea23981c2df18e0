import { sql } from 'drizzle-orm';
import { type Database, queryRows } from '../db/client.js';
import type { CardsRepository, LearningAnswer, LearningQuestion } from './cards.repository.js';
import type { ReviewSource } from './learning.table.js';

/** Answers applied per batch: one read and one write each. */
const BATCH = 500;

interface MissingRow {
  source: ReviewSource;
  user_id: string;
  question_id: string;
  question_version: number;
  correct: boolean;
  answered_at: Date | string;
  topic: string;
  domain: number;
  type: string;
  content: Record<string, unknown>;
}

/**
 * Applies to the cards every stored answer the review log does not hold yet, oldest first: the
 * answers given before the learning engine existed (once), and any whose card write was lost after
 * the answer was committed (a crash in between). An answer is in the log when a review of the same
 * person, question and instant is; so running it again finds nothing and writes nothing. Returns
 * how many answers it applied.
 *
 * @example await catchUpCards(db, createCardsRepository(db)) // 0 on a second run
 */
export async function catchUpCards(db: Database, cards: CardsRepository): Promise<number> {
  let applied = 0;
  let previousFirst = '';
  for (;;) {
    const rows = await queryRows<MissingRow>(db, missingAnswersQuery(BATCH));
    if (rows.length === 0) return applied;
    const first = rows[0] as MissingRow;
    const firstKey = `${first.user_id}:${first.question_id}:${new Date(first.answered_at).toISOString()}`;
    // An answer that stays missing after its batch was written would loop for ever.
    if (firstKey === previousFirst)
      throw new Error(`the answer ${firstKey} could not be applied to its card`);
    previousFirst = firstKey;
    await cards.applyAnswers(rows.map(learningAnswerOf));
    applied += rows.length;
    if (rows.length < BATCH) return applied;
  }
}

function learningAnswerOf(row: MissingRow): LearningAnswer {
  const question = {
    ...row.content,
    id: row.question_id,
    version: row.question_version,
    topic: row.topic,
    domain: Number(row.domain),
    type: row.type,
  } as LearningQuestion;
  return {
    userId: row.user_id,
    question,
    source: row.source,
    correct: row.correct,
    at: new Date(row.answered_at),
  };
}

function missingAnswersQuery(limit: number) {
  return sql`select * from (
      select 'daily' as source, a.user_id, p.question_id, p.question_version, a.correct, a.answered_at,
             v.topic, v.domain, v.type, v.content
      from answers a
      join posts p on p.id = a.post_id
      join question_versions v on v.question_id = p.question_id and v.version = p.question_version
      where not exists (select 1 from learning_reviews r
                        where r.user_id = a.user_id and r.reviewed_at = a.answered_at
                          and r.question_id = p.question_id)
      union all
      select pa.kind as source, pa.user_id, pa.question_id, pa.question_version, pa.correct, pa.answered_at,
             v.topic, v.domain, v.type, v.content
      from practice_answers pa
      join question_versions v on v.question_id = pa.question_id and v.version = pa.question_version
      where not exists (select 1 from learning_reviews r
                        where r.user_id = pa.user_id and r.reviewed_at = pa.answered_at
                          and r.question_id = pa.question_id)
    ) missing
    order by answered_at, user_id, question_id
    limit ${limit}`;
}
