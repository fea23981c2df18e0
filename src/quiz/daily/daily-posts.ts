import type { Clock } from '../../clock.js';
import { channelErrors } from '../channels/channels.errors.js';
import type { ChannelRow, ChannelsRepository } from '../channels/channels.repository.js';
import type { Question } from '../question.js';
import type { QuestionPool } from '../questions/question-pool.js';
import type { QuestionVersions } from '../questions/question-versions.js';
import { localDateOf } from '../schedule.js';
import type { DailyPost } from '../types.js';
import { closesAtFor } from './closing.js';
import { dailyErrors } from './daily.errors.js';
import { pickQuestion } from './pick.js';
import type { PostRow, PostsRepository } from './posts.repository.js';

/** Posts claimed per statement in a morning fan-out. */
const CLAIM_BATCH = 500;

export interface DailyPostsDeps {
  posts: PostsRepository;
  channels: ChannelsRepository;
  pool: QuestionPool;
  versions: QuestionVersions;
  clock: Clock;
  random: () => number;
}

type Wanted = { channelId: string; localDate: string };

/** Choosing, claiming and delivering each channel's question of the day. */
export function createDailyPosts(deps: DailyPostsDeps) {
  const { posts, versions, clock } = deps;

  /** The question a channel would get next (no side effects). */
  async function pickDailyQuestion(channelId: string): Promise<Question | undefined> {
    const [pool, histories] = await Promise.all([deps.pool.get(), posts.channelHistories([channelId])]);
    const picked = pickQuestion({ pool, history: histories.get(channelId) ?? [], random: deps.random });
    return picked && versions.find({ questionId: picked.id, questionVersion: picked.version });
  }

  return {
    pickDailyQuestion,

    /**
     * The channel's question for a local date (default: today in the channel's timezone), created
     * at most once: a second call, from anywhere, returns the first post.
     */
    async postDailyQuestion(channelId: string, localDate?: string): Promise<DailyPost> {
      const channel = await deps.channels.getChannel(channelId);
      if (!channel) throw channelErrors.unknownChannel();
      const wanted = { channelId, localDate: localDate ?? localDateOf(clock.now(), channel.timezone) };
      const [existing] = await posts.findPosts([wanted]);
      if (existing) return { post: existing, question: await versions.get(existing), created: false };
      const question = await pickDailyQuestion(channelId);
      if (!question) throw dailyErrors.emptyBank();
      // The unique (channel, date) index decides: the first caller creates the post, every later or
      // concurrent caller gets that same post back.
      const [created] = await posts.claimPosts(
        [{ ...wanted, questionId: question.id, questionVersion: question.version }],
        clock.now(),
      );
      if (created) return { post: created, question, created: true };
      const [first] = (await posts.findPosts([wanted])) as [PostRow];
      return { post: first, question: await versions.get(first), created: false };
    },

    /**
     * The questions of the day for many channels at once (a morning fan-out): existing posts are
     * returned as they are, missing ones are picked and claimed together. Same rules as postDailyQuestion.
     */
    async prepareDailyPosts(wanted: Wanted[]): Promise<PostRow[]> {
      const existing = await posts.findPosts(wanted);
      const have = new Set(existing.map((p) => p.channelId));
      const missing = wanted.filter((w) => !have.has(w.channelId));
      if (missing.length === 0) return existing;
      const [pool, histories] = await Promise.all([
        deps.pool.get(),
        posts.channelHistories(missing.map((m) => m.channelId)),
      ]);
      const picks = missing.flatMap((m) => {
        const picked = pickQuestion({ pool, history: histories.get(m.channelId) ?? [], random: deps.random });
        return picked ? [{ ...m, questionId: picked.id, questionVersion: picked.version }] : [];
      });
      const created: PostRow[] = [];
      for (let i = 0; i < picks.length; i += CLAIM_BATCH)
        created.push(...(await posts.claimPosts(picks.slice(i, i + CLAIM_BATCH), clock.now())));
      // Posts another process created in the meantime.
      const createdFor = new Set(created.map((p) => p.channelId));
      const raced = await posts.findPosts(missing.filter((m) => !createdFor.has(m.channelId)));
      return [...existing, ...created, ...raced];
    },

    findDailyPosts(wanted: Wanted[]): Promise<PostRow[]> {
      return posts.findPosts(wanted);
    },

    /** The questions the posts asked, keyed `questionId@version`. */
    questionsOf(rows: PostRow[]): Promise<Map<string, Question>> {
      return versions.getMany(rows);
    },

    /** Opens many delivered posts at once; each closes at its channel's next post (see markPostDelivered). */
    async markPostsDelivered(
      items: Array<{ post: PostRow; channel: ChannelRow; messageRef: unknown }>,
    ): Promise<void> {
      const now = clock.now();
      // Channels with the same schedule close at the same instant: work it out once per schedule.
      const closes = new Map<string, Date>();
      const closeOf = (channel: ChannelRow, localDate: string): Date => {
        const key = `${localDate}|${channel.postTime}|${channel.timezone}|${channel.days.join()}|${channel.closeAfterMinutes}`;
        let at = closes.get(key);
        if (!at) {
          at = closesAtFor(channel, localDate, now);
          closes.set(key, at);
        }
        return at;
      };
      await posts.openPosts(
        items.map((i) => ({
          id: i.post.id,
          messageRef: i.messageRef,
          closesAt: closeOf(i.channel, i.post.localDate),
        })),
        now,
      );
    },

    /** Records that the platform delivered the post: it opens for answers until its close time. */
    async markPostDelivered(postId: string, messageRef: unknown): Promise<PostRow> {
      const [post] = await posts.getPosts([postId]);
      if (!post) throw dailyErrors.unknownPost();
      if (post.status !== 'pending') return post;
      const channel = (await deps.channels.getChannel(post.channelId)) as ChannelRow;
      const now = clock.now();
      return posts.updatePost(postId, {
        status: 'open',
        messageRef,
        postedAt: now,
        closesAt: closesAtFor(channel, post.localDate, now),
        lastError: null,
      });
    },

    /**
     * Takes the right to deliver these pending posts from `at` for `leaseMs`: each row goes to one
     * caller only, and the lease lets another replica retry if this one dies mid-send.
     */
    claimDeliveries(postIds: string[], at: Date, leaseMs: number): Promise<PostRow[]> {
      return posts.claimDeliveries(postIds, at, leaseMs);
    },

    /** Notes a failed send; the scheduler retries after `retryAt`. */
    recordDeliveryFailure(postId: string, error: string, retryAt: Date): Promise<PostRow> {
      return posts.updatePost(postId, { lastError: error.slice(0, 500), nextAttemptAt: retryAt });
    },

    openPostOf(channelId: string): Promise<PostRow | undefined> {
      return posts.openPost(channelId);
    },
  };
}
