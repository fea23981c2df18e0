import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  date,
  doublePrecision,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import { questions, questionVersions, users } from '../db/schema.js';

const at = (name: string) => timestamp(name, { withTimezone: true });

/** Where an answer was given; mock-exam answers weigh more in the readiness estimate. */
export type ReviewSource = 'daily' | 'practice' | 'reminder' | 'late' | 'mock';

/**
 * One person's spaced-repetition card for one question (the FSRS memory state). It outlives edits
 * of the question: only a changed answer key (see answer-key.ts) starts it afresh.
 */
export const learningCards = pgTable(
  'learning_cards',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    questionId: text('question_id')
      .notNull()
      .references(() => questions.id),
    /** Fingerprint of the answer key the card was learned on. */
    answerKey: text('answer_key').notNull(),
    due: at('due').notNull(),
    stability: doublePrecision('stability').notNull(),
    difficulty: doublePrecision('difficulty').notNull(),
    /** ts-fsrs `State`: 0 new, 1 learning, 2 review, 3 relearning. */
    state: smallint('state').notNull(),
    reps: integer('reps').notNull(),
    lapses: integer('lapses').notNull(),
    scheduledDays: integer('scheduled_days').notNull(),
    learningSteps: integer('learning_steps').notNull(),
    lastReview: at('last_review'),
    /** Bumped by every write: a batch only overwrites the state it read (optimistic concurrency). */
    revision: integer('revision').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.questionId] }),
    index('learning_cards_user_due_idx').on(t.userId, t.due),
  ],
);

/**
 * Every answer as the learning engine saw it (the FSRS review log): the history readiness and weak
 * topics are computed from, with the confidence the person gave and the card as it was before, so
 * a later "I was sure / I guessed" tap can re-rate the review.
 */
export const learningReviews = pgTable(
  'learning_reviews',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    questionId: text('question_id').notNull(),
    questionVersion: integer('question_version').notNull(),
    /** Denormalised from the version answered, so readiness reads one index range and joins nothing. */
    topic: text('topic').notNull(),
    domain: smallint('domain').notNull(),
    source: text('source').$type<ReviewSource>().notNull(),
    correct: boolean('correct').notNull(),
    /** true "I was sure", false "I guessed", null not said. */
    sure: boolean('sure'),
    quick: boolean('quick').notNull().default(false),
    /** ts-fsrs `Rating` given: 1 Again, 2 Hard, 3 Good, 4 Easy. */
    rating: smallint('rating').notNull(),
    reviewedAt: at('reviewed_at').notNull(),
    /** The card before this review (null for a first answer), to re-rate it after a confidence tap. */
    cardBefore: jsonb('card_before'),
  },
  (t) => [
    // Everything readiness reads, in the order its per-question weighting wants: a team's year of
    // reviews is read from the index alone, without visiting rows scattered over the table.
    index('learning_reviews_user_question_idx').on(
      t.userId,
      t.questionId,
      t.reviewedAt,
      t.domain,
      t.correct,
      t.source,
      t.sure,
    ),
    foreignKey({
      columns: [t.questionId, t.questionVersion],
      foreignColumns: [questionVersions.questionId, questionVersions.version],
      name: 'learning_reviews_question_version_fk',
    }),
  ],
);

/** A person's study plan: the exam date they set with `exam <YYYY-MM-DD>`. */
export const learningProfiles = pgTable('learning_profiles', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  examDate: date('exam_date', { mode: 'string' }),
  updatedAt: at('updated_at').notNull().default(sql`now()`),
});

/**
 * How far the start-up catch-up has checked the answers against the review log (one row): a later
 * start checks only the answers since then, less a margin, instead of every answer ever given.
 */
export const learningCatchUp = pgTable('learning_catch_up', {
  id: smallint('id').primaryKey().default(1),
  checkedThrough: at('checked_through').notNull(),
});
