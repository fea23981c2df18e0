import { and, asc, eq, inArray, isNull, lt, lte, ne, or, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import type { MessageRef } from '../quiz/port.js';
import { digestCharts } from './digest-charts.table.js';

export type OwedChart = typeof digestCharts.$inferSelect & { messageRef: MessageRef };

/** A chart no replica is uploading: never claimed, given back, or its uploader's lease has run out. */
const free = (at: Date) => or(isNull(digestCharts.leaseUntil), lte(digestCharts.leaseUntil, at));

/**
 * The charts owed to digests already posted (`digest_charts`). Each is claimed with a lease before
 * it is uploaded, so two replicas never upload the same one, and one whose uploader died is taken
 * over once its lease has run out.
 */
export function createDigestChartsRepository(db: Database) {
  return {
    /** Records that a digest just posted owes its chart; recording it twice changes nothing. */
    async owe(chart: {
      key: string;
      channelId: string;
      workspace: string;
      week: string;
      messageRef: MessageRef;
      owedSince: Date;
    }): Promise<void> {
      await db.insert(digestCharts).values(chart).onConflictDoNothing();
    },

    /** Every chart still owed, oldest digest first. */
    async owed(): Promise<OwedChart[]> {
      return (await db
        .select()
        .from(digestCharts)
        .where(eq(digestCharts.status, 'owed'))
        .orderBy(asc(digestCharts.owedSince), asc(digestCharts.key))) as OwedChart[];
    },

    /** Takes an owed chart for `leaseMs` from `at`; false when another run holds it or it is settled. */
    async claim(key: string, at: Date, leaseMs: number): Promise<boolean> {
      const [row] = await db
        .update(digestCharts)
        .set({ leaseUntil: new Date(at.getTime() + leaseMs), attempts: sql`${digestCharts.attempts} + 1` })
        .where(and(eq(digestCharts.key, key), eq(digestCharts.status, 'owed'), free(at)))
        .returning({ key: digestCharts.key });
      return Boolean(row);
    },

    /** Settles a chart: uploaded, refused for good, or given up. */
    async settle(key: string, status: 'sent' | 'failed' | 'dropped', at: Date, detail?: string) {
      await db
        .update(digestCharts)
        .set({ status, settledAt: at, leaseUntil: null, detail: detail ?? null })
        .where(eq(digestCharts.key, key));
    },

    /** Gives a claimed chart back: to any run at once, or (`retryAt`) to one from then on. */
    async release(key: string, retryAt?: Date) {
      await db
        .update(digestCharts)
        .set({ leaseUntil: retryAt ?? null })
        .where(and(eq(digestCharts.key, key), eq(digestCharts.status, 'owed')));
    },

    /**
     * Gives up the charts owed since before `before` that no run holds at `at`, and returns them:
     * posted that late, a chart would land under a digest the team has long read.
     */
    async dropOwedBefore(before: Date, at: Date): Promise<OwedChart[]> {
      return (await db
        .update(digestCharts)
        .set({ status: 'dropped', settledAt: at, leaseUntil: null, detail: 'not uploaded within a day' })
        .where(and(eq(digestCharts.status, 'owed'), lt(digestCharts.owedSince, before), free(at)))
        .returning()) as OwedChart[];
    },

    /** Forgets at most `limit` charts settled (sent, refused or dropped) before `before`; returns how many. */
    async forgetSettledBefore(before: Date, limit: number): Promise<number> {
      const batch = db
        .select({ key: digestCharts.key })
        .from(digestCharts)
        .where(and(ne(digestCharts.status, 'owed'), lt(digestCharts.settledAt, before)))
        .limit(limit);
      const gone = await db
        .delete(digestCharts)
        .where(inArray(digestCharts.key, batch))
        .returning({ key: digestCharts.key });
      return gone.length;
    },
  };
}
