import { createIdentityRepository } from '../quiz/identity.repository.js';
import type { ChatPlatform, MessageRef } from '../quiz/port.js';
import type { PostRow } from '../quiz/posts.repository.js';
import { errorText, type JobContext, type JobOutcome, notConfigured } from './job.js';
import { createJobsRepository } from './jobs.repository.js';

/** Closes each open question at its close time and posts its reveal once. */
export async function closeQuestions(ctx: JobContext): Promise<JobOutcome[]> {
  const identity = createIdentityRepository(ctx.db);
  const jobs = createJobsRepository(ctx.db);
  const outcomes: JobOutcome[] = [];
  for (const post of await ctx.quiz.postsDueToClose()) await ctx.quiz.closePost(post.id);

  const sends: Array<Promise<void>> = [];
  for (const post of await jobs.unrevealed()) {
    const channel = await identity.getChannel(post.channelId);
    const workspace = channel && (await identity.getWorkspace(channel.workspaceId));
    if (!channel || !workspace) continue;
    const target = `${workspace.platform}:${channel.externalId}`;
    const platform = ctx.platforms[workspace.platform];
    if (!platform) {
      outcomes.push({ target, outcome: 'failed', reason: notConfigured(workspace.platform) });
      continue;
    }
    if (!(await jobs.claimReveal(post.id, ctx.at))) continue;
    sends.push(
      revealOne(ctx, platform, post, target)
        .then(() => {
          outcomes.push({ target, outcome: 'revealed', reason: post.localDate });
        })
        .catch(async (error: unknown) => {
          await jobs.releaseReveal(post.id);
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
