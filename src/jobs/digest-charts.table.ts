import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { channels } from '../db/schema.js';

const at = (name: string) => timestamp(name, { withTimezone: true });

/** Where an owed chart stands: still to upload, in its thread, refused for good, or given up as too late. */
export type DigestChartStatus = 'owed' | 'sent' | 'failed' | 'dropped';

/**
 * The charts that follow a digest into its thread (Slack), one per digest already posted. A row is
 * written as the digest's text goes out and settled once its chart is uploaded, refused or dropped,
 * so a chart pass cut short (a shutdown, a crash) is finished by a later tick on any replica.
 */
export const digestCharts = pgTable(
  'digest_charts',
  {
    /** The digest's job_runs key: one channel's digest of one ISO week. */
    key: text('key').primaryKey(),
    channelId: uuid('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    /** `<platform>:<workspace id>`: uploads keep a pace per workspace, and take turns across them. */
    workspace: text('workspace').notNull(),
    week: text('week').notNull(),
    /** The digest message the chart goes under (the platform's own reference). */
    messageRef: jsonb('message_ref').notNull(),
    /** When the digest's text went out: the chart is drawn as of then, and dropped a day later. */
    owedSince: at('owed_since').notNull(),
    status: text('status').$type<DigestChartStatus>().notNull().default('owed'),
    /** A replica uploading it holds it until then; after that (it died) another may take it over. */
    leaseUntil: at('lease_until'),
    attempts: integer('attempts').notNull().default(0),
    /** Why it was refused or dropped. */
    detail: text('detail'),
    settledAt: at('settled_at'),
  },
  (t) => [index('digest_charts_owed_idx').on(t.owedSince).where(sql`${t.status} = 'owed'`)],
);
