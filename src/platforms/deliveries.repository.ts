import { and, eq, inArray, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { processedEvents } from '../db/schema.js';

/**
 * How long a delivery stays claimed while it is handled. Handling one takes well under a second;
 * the lease only matters when the process died mid-way, and then the platform's next copy
 * (Slack retries after about a minute) takes the delivery over.
 */
const LEASE_MS = 45_000;

/** What became of a claim on a platform delivery. */
export type Claim = 'claimed' | 'handled' | 'in_progress';

/**
 * Platform deliveries (a Slack event, a Teams activity) handled exactly once. A delivery is
 * claimed before it is handled and marked handled only once that worked: a copy that arrives after
 * a failure is handled again, a copy of a handled delivery is not.
 */
export function createDeliveriesRepository(db: Database) {
  return {
    async claim(key: string): Promise<Claim> {
      const leaseUntil = sql`now() + ${LEASE_MS} * interval '1 millisecond'`;
      const [row] = await db
        .insert(processedEvents)
        .values({ key, leaseUntil })
        .onConflictDoUpdate({
          target: processedEvents.key,
          set: { leaseUntil, receivedAt: sql`now()` },
          // Only a claim whose handler died (its lease ran out) is taken over; a handled one stays.
          setWhere: sql`${processedEvents.leaseUntil} < now()`,
        })
        .returning({ key: processedEvents.key });
      if (row) return 'claimed';
      const [existing] = await db
        .select({ leaseUntil: processedEvents.leaseUntil })
        .from(processedEvents)
        .where(eq(processedEvents.key, key));
      return existing?.leaseUntil ? 'in_progress' : 'handled';
    },

    async markHandled(key: string): Promise<void> {
      await db.update(processedEvents).set({ leaseUntil: null }).where(eq(processedEvents.key, key));
    },

    /** Gives a failed delivery back, so the platform's next copy is handled. */
    async release(key: string): Promise<void> {
      await db
        .delete(processedEvents)
        .where(and(eq(processedEvents.key, key), isNotNull(processedEvents.leaseUntil)));
    },

    /**
     * Marks something done once and for all (a greeting, a signed request): true the first time
     * only. It is stored as handled, so no claim ever takes it over.
     */
    async once(key: string): Promise<boolean> {
      const [row] = await db
        .insert(processedEvents)
        .values({ key })
        .onConflictDoNothing()
        .returning({ key: processedEvents.key });
      return Boolean(row);
    },

    /**
     * Forgets handled keys under `prefix` received more than `ageMs` ago, for memories that matter
     * only for a while (a signed request is accepted for five minutes). Claims still being handled
     * are left to their owner.
     */
    async forgetOlder(prefix: string, ageMs: number): Promise<void> {
      await db
        .delete(processedEvents)
        .where(
          and(
            sql`starts_with(${processedEvents.key}, ${prefix})`,
            lt(processedEvents.receivedAt, sql`now() - ${ageMs} * interval '1 millisecond'`),
            isNull(processedEvents.leaseUntil),
          ),
        );
    },

    /**
     * Forgets at most `limit` handled keys under `prefix` received before `before`; returns how
     * many. Claims still being handled (a lease) are left to their owner.
     */
    async forgetHandledBefore(prefix: string, before: Date, limit: number): Promise<number> {
      const batch = db
        .select({ key: processedEvents.key })
        .from(processedEvents)
        .where(
          and(
            sql`starts_with(${processedEvents.key}, ${prefix})`,
            lt(processedEvents.receivedAt, before),
            isNull(processedEvents.leaseUntil),
          ),
        )
        .limit(limit);
      const gone = await db
        .delete(processedEvents)
        .where(and(inArray(processedEvents.key, batch), isNull(processedEvents.leaseUntil)))
        .returning({ key: processedEvents.key });
      return gone.length;
    },
  };
}
