import { and, eq, inArray } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { answers, erasedAnswerers, posts } from '../../db/schema.js';

export type ErasedAnswererRow = typeof erasedAnswerers.$inferSelect;

/** The keyed hashes kept for people who answered an open question and then asked to be forgotten. */
export function createErasuresRepository(db: Database) {
  return {
    /** The questions of the day still open for answers that this person has answered. */
    async openPostsAnsweredBy(userId: string): Promise<string[]> {
      const rows = await db
        .select({ postId: answers.postId })
        .from(answers)
        .innerJoin(posts, eq(posts.id, answers.postId))
        .where(and(eq(answers.userId, userId), eq(posts.status, 'open')));
      return rows.map((r) => r.postId);
    },

    async remember(rows: ErasedAnswererRow[]): Promise<void> {
      if (rows.length === 0) return;
      await db.insert(erasedAnswerers).values(rows).onConflictDoNothing();
    },

    async ofPosts(postIds: string[]): Promise<ErasedAnswererRow[]> {
      if (postIds.length === 0) return [];
      return db.select().from(erasedAnswerers).where(inArray(erasedAnswerers.postId, postIds));
    },

    /** Closed questions take no more answers, so what was kept for them has served its purpose. */
    async dropClosed(): Promise<void> {
      await db
        .delete(erasedAnswerers)
        .where(
          inArray(
            erasedAnswerers.postId,
            db.select({ id: posts.id }).from(posts).where(eq(posts.status, 'closed')),
          ),
        );
    },
  };
}

export type ErasuresRepository = ReturnType<typeof createErasuresRepository>;
