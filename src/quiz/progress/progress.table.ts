import { date, index, integer, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core';
import { channels, users, workspaces } from '../../db/schema.js';

export type TotalsGrain = 'all' | 'week' | 'month';

/**
 * Points and answers per person and channel: all time, per week and per month (Monday-first weeks
 * and months of the answer's time in the channel's timezone; all time has period_start 1970-01-01).
 * Kept by triggers on `answers` in the answer's own transaction (migrations 0007 and 0010), so a
 * board reads one row per person instead of every answer. Partitioned by grain in migration 0006,
 * which drizzle-kit does not model.
 */
export const answerTotals = pgTable(
  'answer_totals',
  {
    channelId: uuid('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    grain: text('grain').$type<TotalsGrain>().notNull(),
    periodStart: date('period_start', { mode: 'string' }).notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    answered: integer('answered').notNull(),
    correct: integer('correct').notNull(),
    points: integer('points').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.channelId, t.grain, t.periodStart, t.userId] }),
    index('answer_totals_user_idx').on(t.userId),
    // Best first, as `order by points desc` reads it: a board takes its top rows from here.
    index('answer_totals_board_idx').on(t.channelId, t.grain, t.periodStart, t.points.desc().nullsFirst()),
  ],
);

/**
 * Points and answers per person over a whole workspace: all time, and per week and month as each
 * channel's own calendar has it (the sum of that person's answer_totals rows of the workspace's
 * channels with the same grain and period_start). Kept by the same triggers as answer_totals, in
 * the answer's own transaction (migration 0010). Indexed by points, best first, so a workspace
 * board reads its top ten rows and a person's place counts only the people above them.
 */
export const workspaceTotals = pgTable(
  'workspace_totals',
  {
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    grain: text('grain').$type<TotalsGrain>().notNull(),
    periodStart: date('period_start', { mode: 'string' }).notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    answered: integer('answered').notNull(),
    correct: integer('correct').notNull(),
    points: integer('points').notNull(),
  },
  (t) => [
    // Person first: erasing a person and the triggers' deletes find their rows by this key alone,
    // so two indexes serve everything (each one more is written on every answer).
    primaryKey({ columns: [t.userId, t.workspaceId, t.grain, t.periodStart] }),
    index('workspace_totals_board_idx').on(
      t.workspaceId,
      t.grain,
      t.periodStart,
      t.points.desc().nullsFirst(),
    ),
  ],
);
