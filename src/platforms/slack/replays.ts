import { and, like, lt } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { processedEvents } from '../../db/schema.js';

/** A signed Slack request is accepted for five minutes; remember each a little longer than that. */
const REMEMBER_MS = 10 * 60_000;

/**
 * Remembers requests already handled, in the database so that every process of the service sees
 * the same memory. `claim` says whether this is the first time; keys older than the replay window
 * are forgotten now and then, so the table holds only the last few minutes of them.
 */
export function createReplayGuard(options: { db: Database; now?: () => number; prefix?: string }) {
  const { db } = options;
  const now = options.now ?? Date.now;
  const prefix = options.prefix ?? 'slack-request:';
  let nextSweep = 0;

  async function sweep(at: number): Promise<void> {
    nextSweep = at + REMEMBER_MS;
    await db
      .delete(processedEvents)
      .where(
        and(
          like(processedEvents.key, `${prefix}%`),
          lt(processedEvents.receivedAt, new Date(at - REMEMBER_MS)),
        ),
      );
  }

  return {
    /** True the first time `id` is claimed within the window, false for every later claim. */
    async claim(id: string): Promise<boolean> {
      const at = now();
      if (at >= nextSweep) await sweep(at);
      const [fresh] = await db
        .insert(processedEvents)
        .values({ key: `${prefix}${id}`, receivedAt: new Date(at) })
        .onConflictDoNothing()
        .returning({ key: processedEvents.key });
      return Boolean(fresh);
    },
  };
}
