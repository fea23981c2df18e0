import type { Clock } from '../../clock.js';
import type { ChannelRow } from '../channels/channels.repository.js';
import type { ErasuresRepository } from '../people/erasures.repository.js';
import type { QuestionVersions } from '../questions/question-versions.js';
import { instantAt, nextPostInstant } from '../schedule.js';
import type { Reveal } from '../types.js';
import type { AnswersRepository } from './answers.repository.js';
import { dailyErrors } from './daily.errors.js';
import type { PostRow, PostsRepository } from './posts.repository.js';

/** A question of the day closes at the channel's next post, and never later than this. */
const MAX_OPEN_MS = 24 * 3600_000;

/**
 * A question stays open from its scheduled time (or from when it was posted, if later) until the
 * channel's next scheduled post, and at most 24 hours; a fixed duration when the channel sets one.
 */
export function closesAtFor(channel: ChannelRow, localDate: string, postedAt: Date): Date {
  const scheduled = instantAt(localDate, channel.postTime, channel.timezone);
  const from = scheduled > postedAt ? scheduled : postedAt;
  if (channel.closeAfterMinutes) return new Date(from.getTime() + channel.closeAfterMinutes * 60_000);
  const next = nextPostInstant(
    { postTime: channel.postTime, timezone: channel.timezone, days: channel.days },
    from,
  );
  const latest = new Date(from.getTime() + MAX_OPEN_MS);
  return next && next < latest ? next : latest;
}

export interface ClosingDeps {
  posts: PostsRepository;
  answers: AnswersRepository;
  erasures: ErasuresRepository;
  versions: QuestionVersions;
  clock: Clock;
}

/** Closing questions of the day and what their reveal shows. */
export function createClosing(deps: ClosingDeps) {
  const { posts, clock } = deps;

  async function revealOf(postId: string): Promise<Reveal> {
    const [post] = await posts.getPosts([postId]);
    if (!post) throw dailyErrors.unknownPost();
    const [question, given] = await Promise.all([deps.versions.get(post), deps.answers.answersOf(postId)]);
    const optionCounts =
      question.type === 'single' || question.type === 'multiple' ? question.options.map(() => 0) : [];
    if (optionCounts.length > 0)
      for (const a of given) for (const i of a.choice) optionCounts[i] = (optionCounts[i] ?? 0) + 1;
    return {
      postId,
      question,
      answered: given.length,
      correctCount: given.filter((a) => a.correct).length,
      optionCounts,
    };
  }

  return {
    revealOf,

    /** Closes a post once; returns the reveal for the caller that closed it, undefined otherwise. */
    async closePost(postId: string): Promise<Reveal | undefined> {
      const closed = await posts.closePost(postId, clock.now());
      if (!closed) return undefined;
      // Closed questions take no more answers, so what was kept about forgotten answerers has served.
      await deps.erasures.dropClosed();
      return revealOf(postId);
    },

    postsDueToClose(): Promise<PostRow[]> {
      return posts.postsDueToClose(clock.now());
    },

    /** Closed posts whose reveal has not been posted yet. */
    unrevealedPosts(): Promise<PostRow[]> {
      return posts.unrevealed();
    },

    /** Takes the right to post a post's reveal, marked at `at`; only one caller gets the row. */
    claimReveal(postId: string, at: Date): Promise<PostRow | undefined> {
      return posts.claimReveal(postId, at);
    },

    /** Gives a reveal claim back after a failed send, so a later run posts it. */
    releaseReveal(postId: string): Promise<void> {
      return posts.releaseReveal(postId);
    },
  };
}
