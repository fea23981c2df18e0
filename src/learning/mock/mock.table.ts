import { sql } from 'drizzle-orm';
import {
  boolean,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { questionVersions, users } from '../../db/schema.js';

const at = (name: string) => timestamp(name, { withTimezone: true });

/** running: taking answers; finished: all answered or passed over; timed_out: time ran out; abandoned: `mock abandon`. */
export type MockStatus = 'running' | 'finished' | 'timed_out' | 'abandoned';
/** first: every question in turn; review: the skipped and flagged ones, once more. */
export type MockPhase = 'first' | 'review';

/** One person's timed mock exam. At most one is running per person (a partial unique index). */
export const mockExams = pgTable(
  'mock_exams',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    status: text('status').$type<MockStatus>().notNull().default('running'),
    phase: text('phase').$type<MockPhase>().notNull().default('first'),
    /** The position (0-based) of the question in front of the person. */
    position: smallint('position').notNull().default(0),
    size: smallint('size').notNull(),
    startedAt: at('started_at').notNull(),
    endsAt: at('ends_at').notNull(),
    finishedAt: at('finished_at'),
    /** Estimated scaled score (100–1000), set when it ends (not when abandoned). */
    score: smallint('score'),
    /** Whether the person has been shown the report: one closed by the time-out job has not. */
    reportSeen: boolean('report_seen').notNull().default(false),
    /** Bumped by every move, so two clicks at once cannot both move the exam on. */
    revision: integer('revision').notNull().default(0),
  },
  (t) => [
    uniqueIndex('mock_exams_one_running_uq').on(t.userId).where(sql`status = 'running'`),
    index('mock_exams_user_idx').on(t.userId, t.startedAt),
    index('mock_exams_running_ends_idx').on(t.endsAt).where(sql`status = 'running'`),
  ],
);

/** One question of a mock exam, at the version drawn, with what the person did with it. */
export const mockExamItems = pgTable(
  'mock_exam_items',
  {
    mockId: uuid('mock_id')
      .notNull()
      .references(() => mockExams.id, { onDelete: 'cascade' }),
    position: smallint('position').notNull(),
    questionId: text('question_id').notNull(),
    questionVersion: integer('question_version').notNull(),
    domain: smallint('domain').notNull(),
    /** Indexes into the stored question (see quiz/question.ts `Choice`); null while unanswered. */
    choice: jsonb('choice').$type<number[]>(),
    correct: boolean('correct'),
    answeredAt: at('answered_at'),
    flagged: boolean('flagged').notNull().default(false),
    /** Passed over with Skip at least once. */
    skipped: boolean('skipped').notNull().default(false),
    /** Shown again in the review round (so it comes back only once). */
    revisited: boolean('revisited').notNull().default(false),
  },
  (t) => [
    primaryKey({ columns: [t.mockId, t.position] }),
    index('mock_exam_items_question_idx').on(t.questionId),
    foreignKey({
      columns: [t.questionId, t.questionVersion],
      foreignColumns: [questionVersions.questionId, questionVersions.version],
      name: 'mock_exam_items_question_version_fk',
    }),
  ],
);
