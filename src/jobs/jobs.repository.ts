import { and, eq, gte, inArray, isNotNull, isNull, lte, ne, or, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { jobRuns, type Platform, posts, users, workspaces } from '../db/schema.js';

/** The claims that make scheduled work happen once, whatever the number of replicas. */
export function createJobsRepository(db: Database) {
  return {
    /**
     * Takes the right to deliver pending posts for `leaseMs`. Only one caller gets each row; the
     * lease lets another replica retry if this one dies mid-send.
     */
    async claimDeliveries(postIds: string[], at: Date, leaseMs: number) {
      if (postIds.length === 0) return [];
      return db
        .update(posts)
        .set({ attempts: sql`${posts.attempts} + 1`, nextAttemptAt: new Date(at.getTime() + leaseMs) })
        .where(
          and(
            inArray(posts.id, postIds),
            eq(posts.status, 'pending'),
            or(isNull(posts.nextAttemptAt), lte(posts.nextAttemptAt, at)),
          ),
        )
        .returning();
    },

    /** Posts closed but not yet revealed. */
    async unrevealed() {
      return db
        .select()
        .from(posts)
        .where(and(eq(posts.status, 'closed'), isNull(posts.revealedAt)));
    },

    /** Takes the right to post a reveal; only one caller gets it. */
    async claimReveal(postId: string, at: Date) {
      const [row] = await db
        .update(posts)
        .set({ revealedAt: at })
        .where(and(eq(posts.id, postId), isNull(posts.revealedAt)))
        .returning();
      return row;
    },

    async releaseReveal(postId: string) {
      await db.update(posts).set({ revealedAt: null }).where(eq(posts.id, postId));
    },

    /** Claims a unit of periodic work by key (e.g. a channel's digest for one ISO week). */
    async claimRun(key: string, job: string, at: Date): Promise<boolean> {
      const [row] = await db
        .insert(jobRuns)
        .values({ key, job, status: 'running', startedAt: at })
        .onConflictDoNothing()
        .returning();
      return Boolean(row);
    },

    /** Whether a unit of periodic work was already claimed (done, or under way elsewhere). */
    async hasRun(key: string): Promise<boolean> {
      const [row] = await db.select({ key: jobRuns.key }).from(jobRuns).where(eq(jobRuns.key, key));
      return Boolean(row);
    },

    async finishRun(key: string, status: 'done' | 'failed', at: Date, detail?: unknown) {
      await db
        .update(jobRuns)
        .set({ status, finishedAt: at, detail: detail ?? null })
        .where(eq(jobRuns.key, key));
    },

    /** Gives a claim back after a failed send, so a later tick can try again. */
    async releaseRun(key: string) {
      await db.delete(jobRuns).where(eq(jobRuns.key, key));
    },

    /** People who want reminders now: not off, not snoozed, active in the last `activeDays`. */
    async reminderCandidates(at: Date, activeDays: number) {
      return db
        .select({
          userId: users.id,
          externalId: users.externalId,
          reminders: users.reminders,
          timezone: users.timezone,
          directChannelId: users.directChannelId,
          platform: workspaces.platform,
          workspaceExternalId: workspaces.externalId,
        })
        .from(users)
        .innerJoin(workspaces, eq(workspaces.id, users.workspaceId))
        .where(
          and(
            ne(users.reminders, 'off'),
            or(isNull(users.snoozedUntil), lte(users.snoozedUntil, at)),
            isNotNull(users.lastActiveAt),
            gte(users.lastActiveAt, new Date(at.getTime() - activeDays * 86_400_000)),
          ),
        ) as Promise<
        Array<{
          userId: string;
          externalId: string;
          reminders: 'daily' | 'weekly';
          timezone: string | null;
          directChannelId: string | null;
          platform: Platform;
          workspaceExternalId: string;
        }>
      >;
    },

    async rememberDirectChannel(userId: string, directChannelId: string) {
      await db.update(users).set({ directChannelId }).where(eq(users.id, userId));
    },
  };
}
