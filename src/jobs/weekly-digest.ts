import { instantAt, isoWeekdayOf, isoWeekOf, localDateOf } from '../quiz/schedule.js';
import { digestExtras } from './digest-extras.js';
import { DEFAULT_CATCH_UP_MS, errorText, type JobContext, type JobOutcome, notConfigured } from './job.js';
import { createJobsRepository } from './jobs.repository.js';

/** At each channel's digest day and time: the week's digest, once per channel and ISO week. */
export async function postWeeklyDigests(ctx: JobContext): Promise<JobOutcome[]> {
  const jobs = createJobsRepository(ctx.db);
  const catchUp = ctx.catchUpMs ?? DEFAULT_CATCH_UP_MS;
  const outcomes: JobOutcome[] = [];
  for (const channel of await ctx.quiz.activeChannels()) {
    const date = localDateOf(ctx.at, channel.timezone);
    if (isoWeekdayOf(date) !== channel.digestDay) continue;
    const due = instantAt(date, channel.digestTime, channel.timezone);
    if (ctx.at < due || ctx.at.getTime() - due.getTime() > catchUp) continue;
    const target = `${channel.platform}:${channel.externalId}`;
    const key = `weekly-digest:${channel.id}:${isoWeekOf(ctx.at, channel.timezone)}`;
    const platform = ctx.platforms[channel.platform];
    if (!platform) {
      if (!(await jobs.hasRun(key)) && (await ctx.quiz.weeklyDigest(channel.id)).questionsAsked > 0)
        outcomes.push({ target, outcome: 'failed', reason: notConfigured(channel.platform) });
      continue;
    }
    if (!(await jobs.claimRun(key, 'weekly-digest', ctx.at))) continue;
    try {
      const digest = await ctx.quiz.weeklyDigest(channel.id);
      if (digest.questionsAsked === 0) {
        await jobs.finishRun(key, 'done', ctx.at, { skipped: 'no questions this week' });
        outcomes.push({ target, outcome: 'skipped', reason: 'no questions this week' });
        continue;
      }
      const extras = await digestExtras(ctx, channel, platform);
      await ctx.queue.run(target, () =>
        platform.postDigest(
          { workspaceId: channel.workspaceExternalId, channelId: channel.externalId },
          { ...digest, ...extras },
        ),
      );
      await jobs.finishRun(key, 'done', ctx.at);
      outcomes.push({ target, outcome: 'sent', reason: `digest ${digest.week}` });
    } catch (error) {
      await jobs.releaseRun(key);
      outcomes.push({ target, outcome: 'failed', reason: errorText(error) });
    }
  }
  return outcomes;
}
