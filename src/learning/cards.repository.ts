import { sql } from 'drizzle-orm';
import { type Database, queryRows } from '../db/client.js';
import { type AnswerKeySource, answerKeyOf } from './answer-key.js';
import type { ReviewSource } from './learning.table.js';
import {
  type AnswerOutcome,
  type CardState,
  DEFAULT_SCHEDULER_SETTINGS,
  newCard,
  reviewAnswer,
  type SchedulerSettings,
} from './scheduler.js';

/** The question an answer was given to, at the version shown (a `Question` of the quiz fits). */
export type LearningQuestion = {
  id: string;
  version: number;
  topic: string;
  domain: number;
} & AnswerKeySource;

/** One answer as the learning engine takes it, from any place an answer is given. */
export interface LearningAnswer extends AnswerOutcome {
  userId: string;
  question: LearningQuestion;
  source: ReviewSource;
}

export interface StoredCard extends CardState {
  userId: string;
  questionId: string;
  answerKey: string;
  revision: number;
}

/** What an answer did to its card: the rating and when the question comes back. */
export interface AppliedAnswer {
  userId: string;
  questionId: string;
  rating: number;
  due: Date;
}

/** Rounds of "read, compute, write if nobody wrote meanwhile" before giving up. */
const MAX_ROUNDS = 4;

interface CardRow {
  user_id: string;
  question_id: string;
  answer_key: string;
  due: Date | string;
  stability: number;
  difficulty: number;
  state: number;
  reps: number;
  lapses: number;
  scheduled_days: number;
  learning_steps: number;
  last_review: Date | string | null;
  revision: number;
}

function cardFromRow(row: CardRow): StoredCard {
  return {
    userId: row.user_id,
    questionId: row.question_id,
    answerKey: row.answer_key,
    due: new Date(row.due),
    stability: Number(row.stability),
    difficulty: Number(row.difficulty),
    state: row.state as CardState['state'],
    reps: row.reps,
    lapses: row.lapses,
    scheduledDays: row.scheduled_days,
    learningSteps: row.learning_steps,
    lastReview: row.last_review === null ? null : new Date(row.last_review),
    revision: row.revision,
  };
}

const keyOf = (userId: string, questionId: string) => `${userId}\u0000${questionId}`;

/**
 * The cards repository: reads cards and applies answers to them.
 *
 * @example await createCardsRepository(db).applyAnswers(recordedAnswers)
 */
export function createCardsRepository(
  db: Database,
  settings: SchedulerSettings = DEFAULT_SCHEDULER_SETTINGS,
) {
  async function loadCards(
    keys: Array<{ userId: string; questionId: string }>,
  ): Promise<Map<string, StoredCard>> {
    if (keys.length === 0) return new Map();
    const rows = await queryRows<CardRow>(
      db,
      sql`select c.* from learning_cards c
          join unnest(${toTextArray(keys.map((k) => k.userId))}::uuid[],
                      ${toTextArray(keys.map((k) => k.questionId))}::text[]) as k(user_id, question_id)
            on c.user_id = k.user_id and c.question_id = k.question_id`,
    );
    return new Map(rows.map((row) => [keyOf(row.user_id, row.question_id), cardFromRow(row)]));
  }

  return {
    async getCard(userId: string, questionId: string): Promise<StoredCard | undefined> {
      return (await loadCards([{ userId, questionId }])).get(keyOf(userId, questionId));
    },

    /**
     * Applies a batch of answers (the recorder's group commit) to their cards and logs each one as a
     * review: one read and one write for the whole batch, whatever its size. Answers to the same
     * card are applied in time order. A card written by someone else between the read and the write
     * is not overwritten: its answers are applied again on the fresh state.
     */
    async applyAnswers(answers: LearningAnswer[]): Promise<AppliedAnswer[]> {
      const groups = new Map<string, { userId: string; questionId: string; answers: LearningAnswer[] }>();
      for (const answer of [...answers].sort((a, b) => a.at.getTime() - b.at.getTime())) {
        const key = keyOf(answer.userId, answer.question.id);
        const group = groups.get(key) ?? {
          userId: answer.userId,
          questionId: answer.question.id,
          answers: [],
        };
        group.answers.push(answer);
        groups.set(key, group);
      }
      const applied: AppliedAnswer[] = [];
      for (let round = 0; round < MAX_ROUNDS && groups.size > 0; round++) {
        const stored = await loadCards(
          [...groups.values()].map(({ userId, questionId }) => ({ userId, questionId })),
        );
        const cards: StoredCard[] = [];
        const reviews: Array<Record<string, unknown>> = [];
        const results = new Map<string, AppliedAnswer[]>();
        for (const [key, group] of groups) {
          const before = stored.get(key);
          let card: StoredCard | undefined = before;
          const done: AppliedAnswer[] = [];
          for (const answer of group.answers) {
            const answerKey = answerKeyOf(answer.question);
            // A changed answer key makes the old memory worthless: the card starts again.
            const current = card && card.answerKey === answerKey ? card : undefined;
            const next = reviewAnswer(current ?? newCard(answer.at), answer, settings);
            reviews.push({
              user_id: answer.userId,
              question_id: answer.question.id,
              question_version: answer.question.version,
              topic: answer.question.topic,
              domain: answer.question.domain,
              source: answer.source,
              correct: answer.correct,
              sure: answer.sure ?? null,
              quick: answer.quick ?? false,
              rating: next.rating,
              reviewed_at: answer.at.toISOString(),
              card_before: current ? cardJson(current) : null,
            });
            card = {
              ...next.card,
              userId: answer.userId,
              questionId: answer.question.id,
              answerKey,
              revision: 0,
            };
            done.push({
              userId: answer.userId,
              questionId: answer.question.id,
              rating: next.rating,
              due: card.due,
            });
          }
          if (!card) continue;
          cards.push({ ...card, revision: (before?.revision ?? 0) + 1 });
          results.set(key, done);
        }
        const written = await writeBatch(db, cards, reviews);
        for (const key of written) {
          applied.push(...(results.get(key) ?? []));
          groups.delete(key);
        }
      }
      if (groups.size > 0) throw new Error(`cards kept changing under ${groups.size} answer group(s)`);
      return applied;
    },
  };
}

export type CardsRepository = ReturnType<typeof createCardsRepository>;

/** A card as JSON for the review log (dates as ISO strings). */
export function cardJson(card: CardState): Record<string, unknown> {
  return {
    due: card.due.toISOString(),
    stability: card.stability,
    difficulty: card.difficulty,
    state: card.state,
    reps: card.reps,
    lapses: card.lapses,
    scheduledDays: card.scheduledDays,
    learningSteps: card.learningSteps,
    lastReview: card.lastReview?.toISOString() ?? null,
  };
}

/** A Postgres text[] literal, quoting every element. */
export function toTextArray(values: string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}

/** Writes cards (only over the revision they were read at) and the reviews of those written. */
async function writeBatch(
  db: Database,
  cards: StoredCard[],
  reviews: Array<Record<string, unknown>>,
): Promise<Set<string>> {
  if (cards.length === 0) return new Set();
  const cardRows = cards.map((c) => ({
    ...cardJson(c),
    user_id: c.userId,
    question_id: c.questionId,
    answer_key: c.answerKey,
    revision: c.revision,
  }));
  const rows = await queryRows<{ user_id: string; question_id: string }>(
    db,
    sql`with input as (
          select * from jsonb_to_recordset(${JSON.stringify(cardRows)}::jsonb) as x(
            user_id uuid, question_id text, answer_key text, due timestamptz, stability float8,
            difficulty float8, state smallint, reps int, lapses int, "scheduledDays" int,
            "learningSteps" int, "lastReview" timestamptz, revision int)
        ), written as (
          insert into learning_cards (user_id, question_id, answer_key, due, stability, difficulty, state,
                                      reps, lapses, scheduled_days, learning_steps, last_review, revision)
          select user_id, question_id, answer_key, due, stability, difficulty, state, reps, lapses,
                 "scheduledDays", "learningSteps", "lastReview", revision from input
          on conflict (user_id, question_id) do update set
            answer_key = excluded.answer_key, due = excluded.due, stability = excluded.stability,
            difficulty = excluded.difficulty, state = excluded.state, reps = excluded.reps,
            lapses = excluded.lapses, scheduled_days = excluded.scheduled_days,
            learning_steps = excluded.learning_steps, last_review = excluded.last_review,
            revision = excluded.revision
          where learning_cards.revision = excluded.revision - 1
          returning user_id, question_id
        ), logged as (
          insert into learning_reviews (user_id, question_id, question_version, topic, domain, source,
                                        correct, sure, quick, rating, reviewed_at, card_before)
          select r.user_id, r.question_id, r.question_version, r.topic, r.domain, r.source, r.correct,
                 r.sure, r.quick, r.rating, r.reviewed_at, r.card_before
          from jsonb_to_recordset(${JSON.stringify(reviews)}::jsonb) as r(
            user_id uuid, question_id text, question_version int, topic text, domain smallint,
            source text, correct boolean, sure boolean, quick boolean, rating smallint,
            reviewed_at timestamptz, card_before jsonb)
          join written w on w.user_id = r.user_id and w.question_id = r.question_id
          returning 1
        )
        select user_id, question_id from written`,
  );
  return new Set(rows.map((r) => keyOf(r.user_id, r.question_id)));
}
