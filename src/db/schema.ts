import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  date,
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

// One schema for both drivers (Postgres through `pg`, and embedded PGlite): keep to SQL that
// PostgreSQL 15 understands, since PGlite runs a newer engine than the servers people deploy.

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const at = (name: string) => timestamp(name, { withTimezone: true });

/** A chat platform. `local` is the terminal channel. */
export type Platform = 'slack' | 'teams' | 'local';

/** A Slack workspace (team), a Teams tenant, or the local terminal: the scope of users and channels. */
export const workspaces = pgTable(
  'workspaces',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    platform: text('platform').$type<Platform>().notNull(),
    externalId: text('external_id').notNull(),
    name: text('name'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('workspaces_platform_external_uq').on(t.platform, t.externalId)],
);

export type ReminderFrequency = 'off' | 'daily' | 'weekly';

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    externalId: text('external_id').notNull(),
    displayName: text('display_name'),
    /** IANA timezone; null means "use the channel's or the default". */
    timezone: text('timezone'),
    reminders: text('reminders').$type<ReminderFrequency>().notNull().default('weekly'),
    snoozedUntil: at('snoozed_until'),
    leaderboardOptOut: boolean('leaderboard_opt_out').notNull().default(false),
    /** The platform's private conversation with this user, opened once and remembered. */
    directChannelId: text('direct_channel_id'),
    createdAt: createdAt(),
    lastActiveAt: at('last_active_at'),
  },
  (t) => [uniqueIndex('users_workspace_external_uq').on(t.workspaceId, t.externalId)],
);

/** A chat channel and its question-of-the-day subscription. */
export const channels = pgTable(
  'channels',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    externalId: text('external_id').notNull(),
    name: text('name'),
    active: boolean('active').notNull().default(false),
    /** Local wall-clock time of the daily post, `HH:MM`. */
    postTime: text('post_time').notNull().default('09:00'),
    timezone: text('timezone').notNull().default('UTC'),
    /** ISO weekdays the question is posted on: 1 = Monday … 7 = Sunday. */
    days: integer('days').array().notNull().default(sql`'{1,2,3,4,5}'::integer[]`),
    /** ISO weekday and local time of the weekly digest. */
    digestDay: smallint('digest_day').notNull().default(1),
    digestTime: text('digest_time').notNull().default('09:00'),
    /** Minutes a question stays open; null closes it at the channel's next post (at most 24 h). */
    closeAfterMinutes: integer('close_after_minutes'),
    subscribedBy: text('subscribed_by'),
    subscribedAt: at('subscribed_at'),
    createdAt: createdAt(),
    updatedAt: at('updated_at'),
  },
  (t) => [
    uniqueIndex('channels_workspace_external_uq').on(t.workspaceId, t.externalId),
    index('channels_active_idx').on(t.active),
  ],
);

export type QuestionType = 'single' | 'multiple' | 'ordering' | 'matching';

/** The bank as last synced: one row per question id, pointing at its current version. */
export const questions = pgTable(
  'questions',
  {
    id: text('id').primaryKey(),
    currentVersion: integer('current_version').notNull(),
    topic: text('topic').notNull(),
    domain: smallint('domain').notNull(),
    type: text('type').$type<QuestionType>().notNull(),
    difficulty: smallint('difficulty').notNull(),
    /** False once retired or removed from the files: never drawn again, history kept. */
    active: boolean('active').notNull(),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [index('questions_active_topic_idx').on(t.active, t.topic)],
);

/** Every version of every question ever asked. Answers point here, so editing never rewrites history. */
export const questionVersions = pgTable(
  'question_versions',
  {
    questionId: text('question_id')
      .notNull()
      .references(() => questions.id),
    version: integer('version').notNull(),
    contentHash: text('content_hash').notNull(),
    topic: text('topic').notNull(),
    domain: smallint('domain').notNull(),
    type: text('type').$type<QuestionType>().notNull(),
    difficulty: smallint('difficulty').notNull(),
    /** The question as validated from its file (stem, options or steps or pairs, explanation…). */
    content: jsonb('content').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.questionId, t.version] })],
);

export type PostStatus = 'pending' | 'open' | 'closed';

/** A question of the day in one channel for one local date. */
export const posts = pgTable(
  'posts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    channelId: uuid('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    /** The channel's local date the question belongs to (YYYY-MM-DD). */
    localDate: date('local_date', { mode: 'string' }).notNull(),
    questionId: text('question_id').notNull(),
    questionVersion: integer('question_version').notNull(),
    /** pending: claimed but not yet delivered; open: taking answers; closed: revealed. */
    status: text('status').$type<PostStatus>().notNull().default('pending'),
    /** The platform's reference to the posted message (Slack channel + ts, Teams activity id…). */
    messageRef: jsonb('message_ref'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    nextAttemptAt: at('next_attempt_at'),
    createdAt: createdAt(),
    postedAt: at('posted_at'),
    closesAt: at('closes_at'),
    closedAt: at('closed_at'),
    revealedAt: at('revealed_at'),
  },
  (t) => [
    uniqueIndex('posts_channel_date_uq').on(t.channelId, t.localDate),
    index('posts_status_closes_idx').on(t.status, t.closesAt),
    foreignKey({
      columns: [t.questionId, t.questionVersion],
      foreignColumns: [questionVersions.questionId, questionVersions.version],
      name: 'posts_question_version_fk',
    }),
  ],
);

/** A person's answer to a channel's question of the day: one per person and post, for ever. */
export const answers = pgTable(
  'answers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    postId: uuid('post_id')
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** What was chosen: option indexes, an order, or prompt→answer pairs, as the question type needs. */
    choice: jsonb('choice').notNull(),
    correct: boolean('correct').notNull(),
    points: integer('points').notNull().default(0),
    answeredAt: at('answered_at').notNull(),
  },
  (t) => [
    uniqueIndex('answers_post_user_uq').on(t.postId, t.userId),
    index('answers_user_time_idx').on(t.userId, t.answeredAt),
    // Answers go in in time order, so a block-range index finds a day of them for the price of a
    // few pages, and costs the click path next to nothing.
    index('answers_answered_at_brin').using('brin', t.answeredAt),
  ],
);

/**
 * People who answered a question of the day and then asked to be forgotten while it was still
 * open. Their answer is erased, but a second answer must not score as if it were the first, so
 * what is kept is only a keyed hash of their platform id, until the question closes.
 */
export const erasedAnswerers = pgTable(
  'erased_answerers',
  {
    postId: uuid('post_id')
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    /** A random key for this row alone, so hashes of one person on two questions cannot be linked. */
    hashKey: text('hash_key').notNull(),
    /** HMAC-SHA256 of "platform:workspace:user" (the platform's own ids) under hashKey, in hex. */
    personHash: text('person_hash').notNull(),
  },
  (t) => [primaryKey({ columns: [t.postId, t.personHash] })],
);

export type PracticeKind = 'practice' | 'reminder' | 'late';

/** Answers outside the daily question: on-demand practice, reminder questions, and late answers. */
export const practiceAnswers = pgTable(
  'practice_answers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    questionId: text('question_id').notNull(),
    questionVersion: integer('question_version').notNull(),
    kind: text('kind').$type<PracticeKind>().notNull(),
    /** The id of the practice question as handed out; one answer per hand-out, so a double click counts once. */
    issueKey: text('issue_key'),
    /** Set for a late answer to a closed post. */
    postId: uuid('post_id').references(() => posts.id, { onDelete: 'set null' }),
    choice: jsonb('choice').notNull(),
    correct: boolean('correct').notNull(),
    answeredAt: at('answered_at').notNull(),
  },
  (t) => [
    index('practice_answers_user_time_idx').on(t.userId, t.answeredAt),
    index('practice_answers_answered_at_brin').using('brin', t.answeredAt),
    uniqueIndex('practice_answers_user_issue_uq')
      .on(t.userId, t.issueKey)
      .where(sql`${t.issueKey} is not null`),
    foreignKey({
      columns: [t.questionId, t.questionVersion],
      foreignColumns: [questionVersions.questionId, questionVersions.version],
      name: 'practice_answers_question_version_fk',
    }),
  ],
);

/**
 * Practice questions as they were handed out: to whom, which question at which version, and why.
 * An answer is taken only from the person the question was handed to, whatever its card says.
 */
export const practiceHandouts = pgTable(
  'practice_handouts',
  {
    issueKey: uuid('issue_key').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    questionId: text('question_id').notNull(),
    questionVersion: integer('question_version').notNull(),
    kind: text('kind').$type<'practice' | 'reminder'>().notNull(),
    handedAt: at('handed_at').notNull(),
  },
  (t) => [index('practice_handouts_user_idx').on(t.userId)],
);

/** Idempotency for scheduled work: a digest or reminder runs once per key (e.g. channel + ISO week). */
export const jobRuns = pgTable(
  'job_runs',
  {
    key: text('key').primaryKey(),
    job: text('job').notNull(),
    status: text('status').$type<'running' | 'done' | 'failed'>().notNull(),
    detail: jsonb('detail'),
    startedAt: at('started_at').notNull().defaultNow(),
    finishedAt: at('finished_at'),
  },
  (t) => [index('job_runs_job_started_idx').on(t.job, t.startedAt)],
);

/**
 * Platform deliveries (Slack event ids, Teams activity ids): handled ones, so a retry has no second
 * effect, and ones being handled, so a copy arriving meanwhile waits its turn.
 */
export const processedEvents = pgTable('processed_events', {
  key: text('key').primaryKey(),
  receivedAt: at('received_at').notNull().defaultNow(),
  /**
   * Set while the delivery is being handled: until then a copy is turned away; after it (the process
   * died mid-way) a copy may take the delivery over. Null once handled.
   */
  leaseUntil: at('lease_until'),
});

/** A Slack workspace (or Enterprise Grid org) that installed the app through OAuth. */
export const slackInstallations = pgTable('slack_installations', {
  /** The enterprise id for org-wide installs, the team id otherwise. */
  id: text('id').primaryKey(),
  teamId: text('team_id'),
  enterpriseId: text('enterprise_id'),
  botUserId: text('bot_user_id'),
  /** The installation in clear: only when the service runs without ENCRYPTION_KEY (development). */
  installation: jsonb('installation'),
  /** The installation encrypted with AES-256-GCM (`iv.tag.ciphertext`, base64), tokens included. */
  sealed: text('sealed'),
  /** Which key sealed it: a fingerprint of the key, so rotated keys can still be told apart. */
  keyId: text('key_id'),
  installedAt: at('installed_at').notNull().defaultNow(),
  updatedAt: at('updated_at'),
});

/** Where a Teams bot can post proactively: the stored conversation reference of a team, chat or person. */
export const teamsConversations = pgTable(
  'teams_conversations',
  {
    conversationId: text('conversation_id').primaryKey(),
    workspaceId: uuid('workspace_id').references(() => workspaces.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<'personal' | 'channel' | 'groupChat'>().notNull(),
    reference: jsonb('reference').notNull(),
    active: boolean('active').notNull().default(true),
    createdAt: createdAt(),
    updatedAt: at('updated_at'),
  },
  (t) => [index('teams_conversations_workspace_idx').on(t.workspaceId)],
);

export type ReportReason = 'wrong_answer' | 'outdated' | 'unclear' | 'typo' | 'other';
export type ReportStatus = 'open' | 'resolved';

/**
 * A person's report that a question is wrong, outdated, unclear or has a typo. One per person and
 * question version: a fixed question (a new version) can be reported again.
 */
export const questionReports = pgTable(
  'question_reports',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    questionId: text('question_id').notNull(),
    questionVersion: integer('question_version').notNull(),
    reporterId: uuid('reporter_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    reason: text('reason').$type<ReportReason>().notNull(),
    /** What the person wrote; capped so a report stays readable in a list. */
    text: text('text'),
    status: text('status').$type<ReportStatus>().notNull().default('open'),
    note: text('note'),
    createdAt: createdAt(),
    resolvedAt: at('resolved_at'),
  },
  (t) => [
    uniqueIndex('question_reports_person_uq').on(t.questionId, t.questionVersion, t.reporterId),
    index('question_reports_open_idx').on(t.questionId).where(sql`${t.status} = 'open'`),
    check(
      'question_reports_reason_ck',
      sql`${t.reason} in ('wrong_answer', 'outdated', 'unclear', 'typo', 'other')`,
    ),
    check('question_reports_text_ck', sql`char_length(${t.text}) <= 500`),
    foreignKey({
      columns: [t.questionId, t.questionVersion],
      foreignColumns: [questionVersions.questionId, questionVersions.version],
      name: 'question_reports_question_version_fk',
    }),
  ],
);
