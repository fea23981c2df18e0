import type { ChatPlatform, MessageRef } from '../quiz/port.js';
import type { PostRow } from '../quiz/types.js';
import { errorText, type JobContext, type JobOutcome, notConfigured } from './job.js';

/** Closes each open question at its close time and posts its reveal once; ends timed-out mock exams. */
export async function closeQuestions(ctx: JobContext): Promise<JobOutcome[]> {
  const outcomes: JobOutcome[] = [];
  // Mock exams whose time ran out end here too, so they are scored even if nobody comes back to them.
  await ctx.quiz.closeExpiredMocks();
  for (const post of await ctx.quiz.postsDueToClose()) await ctx.quiz.closePost(post.id);

  const sends: Array<Promise<void>> = [];
  for (const post of await ctx.quiz.unrevealedPosts()) {
    const channel = await ctx.quiz.placedChannel(post.channelId);
    if (!channel) continue;
    const target = `${channel.platform}:${channel.externalId}`;
    const platform = ctx.platforms[channel.platform];
    if (!platform) {
      outcomes.push({ target, outcome: 'failed', reason: notConfigured(channel.platform) });
      continue;
    }
    if (!(await ctx.quiz.claimReveal(post.id, ctx.at))) continue;
    sends.push(
      revealOne(ctx, platform, post, target)
        .then(() => {
          outcomes.push({ target, outcome: 'revealed', reason: post.localDate });
        })
        .catch(async (error: unknown) => {
          await ctx.quiz.releaseReveal(post.id);
          outcomes.push({ target, outcome: 'failed', reason: errorText(error) });
        }),
    );
  }
  await Promise.all(sends);
  return outcomes;
}

async function revealOne(
  ctx: JobContext,
  platform: ChatPlatform,
  post: PostRow,
  target: string,
): Promise<void> {
  const reveal = await ctx.quiz.revealOf(post.id);
  const ref = (post.messageRef ?? {}) as MessageRef;
  await ctx.queue.run(target, () => platform.postReveal(ref, reveal));
  await ctx.queue.run(target, () =>
    platform.updateQuestion(ref, {
      postId: post.id,
      localDate: post.localDate,
      question: reveal.question,
      answered: reveal.answered,
      closesAt: post.closesAt,
      closed: true,
    }),
  );
}
