import { and, eq, gte, isNotNull, isNull, lte, ne, or, sql } from 'drizzle-orm';
import { type Database, queryRows } from '../../db/client.js';
import { channels, jobRuns, type Platform, users, workspaces } from '../../db/schema.js';
import { learningProfiles } from '../../learning/learning.table.js';
import type { ReminderCandidate } from '../types.js';

export type UserRow = typeof users.$inferSelect;

/** Each of `UserRow`'s fields by its column: a column added to the table fails the typecheck here. */
const USER_FIELDS = {
  id: 'id',
  workspaceId: 'workspace_id',
  externalId: 'external_id',
  displayName: 'display_name',
  timezone: 'timezone',
  reminders: 'reminders',
  snoozedUntil: 'snoozed_until',
  leaderboardOptOut: 'leaderboard_opt_out',
  directChannelId: 'direct_channel_id',
  createdAt: 'created_at',
  lastActiveAt: 'last_active_at',
} satisfies Record<keyof UserRow, string>;
/** A users row as `UserRow`'s fields, for raw statements. */
const USER_COLUMNS = sql.raw(
  Object.entries(USER_FIELDS)
    .map(([field, column]) => `${column} as "${field}"`)
    .join(', '),
);
const dateOf = (value: Date | string | null): Date | null => (value === null ? null : new Date(value));
/** Timestamps come back from raw statements as text on one driver and as dates on the other. */
const userRowOf = (row: UserRow): UserRow => ({
  ...row,
  snoozedUntil: dateOf(row.snoozedUntil),
  createdAt: dateOf(row.createdAt) as Date,
  lastActiveAt: dateOf(row.lastActiveAt),
});
export type WorkspaceRow = typeof workspaces.$inferSelect;

/**
 * Workspaces and the people in them, created the first time the bot meets them. Erasing a person
 * also clears their name from the channels they subscribed, in the same transaction.
 */
export function createPeopleRepository(db: Database) {
  return {
    async ensureWorkspace(platform: Platform, externalId: string, name?: string): Promise<WorkspaceRow> {
      const [row] = await db
        .insert(workspaces)
        .values({ platform, externalId, name })
        .onConflictDoUpdate({
          target: [workspaces.platform, workspaces.externalId],
          set: { name: sql`coalesce(excluded.name, ${workspaces.name})` },
        })
        .returning();
      return row as WorkspaceRow;
    },

    async findWorkspace(platform: Platform, externalId: string): Promise<WorkspaceRow | undefined> {
      const [row] = await db
        .select()
        .from(workspaces)
        .where(and(eq(workspaces.platform, platform), eq(workspaces.externalId, externalId)));
      return row;
    },

    async getWorkspace(id: string): Promise<WorkspaceRow | undefined> {
      const [row] = await db.select().from(workspaces).where(eq(workspaces.id, id));
      return row;
    },

    /**
     * Creates each person on first sight, or notes their name and that they were active; one row
     * back per distinct (workspace, person).
     */
    async ensureUsers(
      wanted: Array<{ workspaceId: string; externalId: string; displayName: string | undefined }>,
      now: Date,
    ): Promise<UserRow[]> {
      // One row per person: an upsert may not touch the same row twice. Rows go in key order so two
      // processes writing overlapping people lock them in the same order and cannot deadlock.
      const distinct = new Map(wanted.map((w) => [`${w.workspaceId}:${w.externalId}`, w]));
      if (distinct.size === 0) return [];
      const ordered = [...distinct.values()].sort((a, b) => {
        const [x, y] = [`${a.workspaceId}:${a.externalId}`, `${b.workspaceId}:${b.externalId}`];
        return x < y ? -1 : x > y ? 1 : 0;
      });
      // Arrays bound as three parameters, not a VALUES list of every column of every row: a burst
      // of new people is one short statement, cheap to build on the click path.
      const column = (pick: (w: (typeof ordered)[number]) => string | null) => sql.param(ordered.map(pick));
      const rows = await queryRows<UserRow>(
        db,
        sql`insert into users (workspace_id, external_id, display_name, last_active_at)
            select w.workspace_id, w.external_id, w.display_name, ${now.toISOString()}::timestamptz
            from unnest(${column((w) => w.workspaceId)}::uuid[], ${column((w) => w.externalId)}::text[],
                        ${column((w) => w.displayName ?? null)}::text[]) as w(workspace_id, external_id, display_name)
            on conflict (workspace_id, external_id) do update
              set display_name = coalesce(excluded.display_name, users.display_name),
                  last_active_at = excluded.last_active_at
            returning ${USER_COLUMNS}`,
      );
      return rows.map(userRowOf);
    },

    async findUser(workspaceId: string, externalId: string): Promise<UserRow | undefined> {
      const [row] = await db
        .select()
        .from(users)
        .where(and(eq(users.workspaceId, workspaceId), eq(users.externalId, externalId)));
      return row;
    },

    async updateUser(
      id: string,
      patch: Partial<Omit<UserRow, 'id' | 'workspaceId' | 'externalId'>>,
    ): Promise<UserRow> {
      const [row] = await db.update(users).set(patch).where(eq(users.id, id)).returning();
      return row as UserRow;
    },

    /** People who want reminders now: not off, not snoozed, active in the last `activeDays`. */
    async reminderCandidates(at: Date, activeDays: number): Promise<ReminderCandidate[]> {
      return db
        .select({
          userId: users.id,
          externalId: users.externalId,
          reminders: users.reminders,
          timezone: users.timezone,
          directChannelId: users.directChannelId,
          platform: workspaces.platform,
          workspaceExternalId: workspaces.externalId,
          examDate: learningProfiles.examDate,
        })
        .from(users)
        .innerJoin(workspaces, eq(workspaces.id, users.workspaceId))
        .leftJoin(learningProfiles, eq(learningProfiles.userId, users.id))
        .where(
          and(
            ne(users.reminders, 'off'),
            or(isNull(users.snoozedUntil), lte(users.snoozedUntil, at)),
            isNotNull(users.lastActiveAt),
            gte(users.lastActiveAt, new Date(at.getTime() - activeDays * 86_400_000)),
          ),
        ) as Promise<ReminderCandidate[]>;
    },

    /** Keeps the direct conversation a platform opened for a person, so the next reminder reuses it. */
    async rememberDirectChannel(userId: string, directChannelId: string): Promise<void> {
      await db.update(users).set({ directChannelId }).where(eq(users.id, userId));
    },

    /**
     * Erases a person: their row (answers, practice and settings cascade with it), their name on the
     * channels they subscribed, and the records of reminders sent to them.
     */
    async eraseUser(user: Pick<UserRow, 'id' | 'workspaceId' | 'externalId'>): Promise<void> {
      await db.transaction(async (tx) => {
        await tx
          .update(channels)
          .set({ subscribedBy: null })
          .where(and(eq(channels.workspaceId, user.workspaceId), eq(channels.subscribedBy, user.externalId)));
        // Reminder runs are keyed `reminder:<user row id>:<period>` and name the person's weakest topic.
        await tx.delete(jobRuns).where(sql`starts_with(${jobRuns.key}, ${`reminder:${user.id}:`})`);
        await tx.delete(users).where(eq(users.id, user.id));
      });
    },
  };
}

export type PeopleRepository = ReturnType<typeof createPeopleRepository>;
