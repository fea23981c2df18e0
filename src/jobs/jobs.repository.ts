import { and, eq, inArray, lt } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { jobRuns } from '../db/schema.js';

/**
 * The `job_runs` claims that make periodic work (a digest, a reminder) happen once, whatever the
 * number of replicas. Posts and people are claimed through the quiz's use cases, not here.
 */
export function createJobsRepository(db: Database) {
  return {
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

    /**
     * Forgets at most `limit` claims of the jobs named that are finished (done or failed) and were
     * taken before `before`; returns how many. Claims still running are left to their owner.
     */
    async forgetFinishedBefore(jobs: readonly string[], before: Date, limit: number): Promise<number> {
      const batch = db
        .select({ key: jobRuns.key })
        .from(jobRuns)
        .where(
          and(
            inArray(jobRuns.job, [...jobs]),
            lt(jobRuns.startedAt, before),
            inArray(jobRuns.status, ['done', 'failed']),
          ),
        )
        .limit(limit);
      const gone = await db
        .delete(jobRuns)
        .where(inArray(jobRuns.key, batch))
        .returning({ key: jobRuns.key });
      return gone.length;
    },
  };
}
