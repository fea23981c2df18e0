import { eq } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { practiceHandouts } from '../../db/schema.js';

export type HandoutRow = typeof practiceHandouts.$inferSelect;

/** Practice questions as handed out, so an answer can be matched to the person who got the question. */
export function createHandoutsRepository(db: Database) {
  return {
    async insert(values: HandoutRow): Promise<void> {
      await db.insert(practiceHandouts).values(values).onConflictDoNothing();
    },

    async find(issueKey: string): Promise<HandoutRow | undefined> {
      const [row] = await db.select().from(practiceHandouts).where(eq(practiceHandouts.issueKey, issueKey));
      return row;
    },
  };
}

export type HandoutsRepository = ReturnType<typeof createHandoutsRepository>;
