import { and, desc, eq, inArray, isNull, lte, or, type SQL, sql } from 'drizzle-orm';
import { type Database, queryRows } from '../../db/client.js';
import type { Platform } from '../../db/schema.js';
import { channels, posts, questionVersions, workspaces } from '../../db/schema.js';

export type PostRow = typeof posts.$inferSelect;

/** Joins a post to the exact question version it asked. */
export const askedVersion = and(
  eq(questionVersions.questionId, posts.questionId),
  eq(questionVersions.version, posts.questionVersion),
);

/** A post's question and the channel it was asked in, in the platform's own ids. */
export interface PostPlace {
  questionId: string;
  questionVersion: number;
  platform: Platform;
  workspaceId: string;
  channelId: string;
}

/** What a channel was asked before, newest first. */
export type ChannelHistory = Array<{ questionId: string; topic: string; domain: number; localDate: string }>;

/**
 * The questions some channel of the person's workspace has as its question of the day right now,
 * counted from the claim (pending, about to be posted) until the post closes. Practice, review,
 * reminders and mock exams leave them out: their private feedback would give the answer away before
 * the channel's reveal. A claim that was never delivered (the bot removed from the channel, a
 * platform down all day) stops counting after a day, so it does not hold its question back for ever.
 */
export function openDailyQuestionsOf(userId: string): SQL {
  return sql`select p.question_id from posts p
             join channels c on c.id = p.channel_id
             where c.workspace_id = (select workspace_id from users where id = ${userId})
               and (p.status = 'open'
                    or (p.status = 'pending' and p.created_at > now() - interval '1 day'))`;
}

/** Questions of the day: one post per channel and local date, from claimed to revealed. */
export function createPostsRepository(db: Database) {
  return {
    /** The ids of openDailyQuestionsOf, to leave out of what one person is handed privately. */
    async openQuestionIdsOf(userId: string): Promise<Set<string>> {
      const rows = await queryRows<{ question_id: string }>(db, openDailyQuestionsOf(userId));
      return new Set(rows.map((r) => r.question_id));
    },

    /** Claims many (channel, date) posts at once; rows another process created first are not returned. */
    async claimPosts(
      values: Array<{ channelId: string; localDate: string; questionId: string; questionVersion: number }>,
      now: Date,
    ): Promise<PostRow[]> {
      if (values.length === 0) return [];
      return db
        .insert(posts)
        .values(values.map((v) => ({ ...v, createdAt: now })))
        .onConflictDoNothing({ target: [posts.channelId, posts.localDate] })
        .returning();
    },

    /** The posts of many channels for their local dates, in one query. */
    async findPosts(wanted: Array<{ channelId: string; localDate: string }>): Promise<PostRow[]> {
      if (wanted.length === 0) return [];
      const keys = new Set(wanted.map((w) => `${w.channelId}|${w.localDate}`));
      const rows = await db
        .select()
        .from(posts)
        .where(
          and(
            inArray(posts.channelId, [...new Set(wanted.map((w) => w.channelId))]),
            inArray(posts.localDate, [...new Set(wanted.map((w) => w.localDate))]),
          ),
        );
      return rows.filter((r) => keys.has(`${r.channelId}|${r.localDate}`));
    },

    /** What many channels were asked before, newest first per channel, in one query. */
    async channelHistories(channelIds: string[]): Promise<Map<string, ChannelHistory>> {
      const histories = new Map<string, ChannelHistory>();
      if (channelIds.length === 0) return histories;
      const rows = await db
        .select({
          channelId: posts.channelId,
          questionId: posts.questionId,
          topic: questionVersions.topic,
          domain: questionVersions.domain,
          localDate: posts.localDate,
        })
        .from(posts)
        .innerJoin(questionVersions, askedVersion)
        .where(inArray(posts.channelId, channelIds))
        .orderBy(desc(posts.localDate));
      for (const { channelId, ...row } of rows) {
        const list = histories.get(channelId) ?? [];
        list.push(row);
        histories.set(channelId, list);
      }
      return histories;
    },

    /** Opens many delivered posts in one statement. */
    async openPosts(
      items: Array<{ id: string; messageRef: unknown; closesAt: Date }>,
      postedAt: Date,
    ): Promise<void> {
      if (items.length === 0) return;
      const values = sql.join(
        items.map(
          (i) =>
            sql`(${i.id}::uuid, ${JSON.stringify(i.messageRef)}::jsonb, ${i.closesAt.toISOString()}::timestamptz)`,
        ),
        sql`, `,
      );
      await db.execute(sql`
        update ${posts} set status = 'open', message_ref = v.ref, closes_at = v.closes, posted_at = ${postedAt.toISOString()}::timestamptz, last_error = null
        from (values ${values}) as v(id, ref, closes)
        where ${posts.id} = v.id and ${posts.status} = 'pending'`);
    },

    async getPosts(ids: string[]): Promise<PostRow[]> {
      if (ids.length === 0) return [];
      return db.select().from(posts).where(inArray(posts.id, ids));
    },

    /** Where a post was asked, in the platform's own ids, with the question it asked. */
    async placeOf(id: string): Promise<PostPlace | undefined> {
      const [row] = await db
        .select({
          questionId: posts.questionId,
          questionVersion: posts.questionVersion,
          platform: workspaces.platform,
          workspaceId: workspaces.externalId,
          channelId: channels.externalId,
        })
        .from(posts)
        .innerJoin(channels, eq(channels.id, posts.channelId))
        .innerJoin(workspaces, eq(workspaces.id, channels.workspaceId))
        .where(eq(posts.id, id));
      return row;
    },

    async updatePost(
      id: string,
      patch: Partial<Omit<PostRow, 'id' | 'channelId' | 'localDate'>>,
    ): Promise<PostRow> {
      const [row] = await db.update(posts).set(patch).where(eq(posts.id, id)).returning();
      return row as PostRow;
    },

    /** The newest open post of a channel, if any. */
    async openPost(channelId: string): Promise<PostRow | undefined> {
      const [row] = await db
        .select()
        .from(posts)
        .where(and(eq(posts.channelId, channelId), eq(posts.status, 'open')))
        .orderBy(desc(posts.localDate))
        .limit(1);
      return row;
    },

    /** Moves a post from open to closed exactly once; the caller that wins gets the row. */
    async closePost(id: string, now: Date): Promise<PostRow | undefined> {
      const [row] = await db
        .update(posts)
        .set({ status: 'closed', closedAt: now })
        .where(and(eq(posts.id, id), eq(posts.status, 'open')))
        .returning();
      return row;
    },

    async postsDueToClose(now: Date): Promise<PostRow[]> {
      return db
        .select()
        .from(posts)
        .where(and(eq(posts.status, 'open'), lte(posts.closesAt, now)));
    },

    /**
     * Takes the right to deliver pending posts for `leaseMs`. Only one caller gets each row; the
     * lease lets another replica retry if this one dies mid-send.
     */
    async claimDeliveries(postIds: string[], at: Date, leaseMs: number): Promise<PostRow[]> {
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
    async unrevealed(): Promise<PostRow[]> {
      return db
        .select()
        .from(posts)
        .where(and(eq(posts.status, 'closed'), isNull(posts.revealedAt)));
    },

    /** Takes the right to post a reveal; only one caller gets it. */
    async claimReveal(postId: string, at: Date): Promise<PostRow | undefined> {
      const [row] = await db
        .update(posts)
        .set({ revealedAt: at })
        .where(and(eq(posts.id, postId), isNull(posts.revealedAt)))
        .returning();
      return row;
    },

    /** Gives a reveal claim back after a failed send, so a later tick can try again. */
    async releaseReveal(postId: string): Promise<void> {
      await db.update(posts).set({ revealedAt: null }).where(eq(posts.id, postId));
    },
  };
}

export type PostsRepository = ReturnType<typeof createPostsRepository>;
