import type { PlacedChannel } from '../quiz/channels/channels.repository.js';
import type { ChatPlatform } from '../quiz/port.js';
import { instantAt, isoWeekdayOf, isoWeekOf, localDateOf } from '../quiz/schedule.js';
import { digestExtras } from './digest-extras.js';
import { DEFAULT_CATCH_UP_MS, errorText, type JobContext, type JobOutcome, notConfigured } from './job.js';
import { createJobsRepository } from './jobs.repository.js';
import { createLimit, forEachInLanes } from './limit.js';

/**
 * Channels whose digest is prepared and sent at once. Most of a lane's time is spent waiting (on
 * the database, on the platform's pace), so several lanes keep the sends flowing while a few charts
 * are drawn; each lane holds at most one digest and its chart, so memory stays flat.
 */
const DIGEST_LANES = 16;
/**
 * Charts drawn at once. Drawing is CPU work (Vega on the event loop, the raster on libuv's
 * threads): two at a time keep both busy while the event loop still has room to send.
 */
const CHART_SLOTS = 2;

type Due = { channel: PlacedChannel; key: string; target: string; platform: ChatPlatform };

/** At each channel's digest day and time: the week's digest, once per channel and ISO week. */
export async function postWeeklyDigests(ctx: JobContext): Promise<JobOutcome[]> {
  const jobs = createJobsRepository(ctx.db);
  const catchUp = ctx.catchUpMs ?? DEFAULT_CATCH_UP_MS;
  const outcomes: JobOutcome[] = [];
  const due: Due[] = [];
  for (const channel of await ctx.quiz.activeChannels()) {
    const date = localDateOf(ctx.at, channel.timezone);
    if (isoWeekdayOf(date) !== channel.digestDay) continue;
    const at = instantAt(date, channel.digestTime, channel.timezone);
    if (ctx.at < at || ctx.at.getTime() - at.getTime() > catchUp) continue;
    const target = `${channel.platform}:${channel.externalId}`;
    const key = `weekly-digest:${channel.id}:${isoWeekOf(ctx.at, channel.timezone)}`;
    const platform = ctx.platforms[channel.platform];
    if (!platform) {
      if (!(await jobs.hasRun(key)) && (await ctx.quiz.weeklyDigest(channel.id)).questionsAsked > 0)
        outcomes.push({ target, outcome: 'failed', reason: notConfigured(channel.platform) });
      continue;
    }
    due.push({ channel, key, target, platform });
  }

  const drawing = createLimit(CHART_SLOTS);
  // A lane sends one digest after another: while some lanes wait on the platform's pace, others
  // read and draw the next ones, so drawing runs ahead of sending rather than before it.
  await forEachInLanes(due, DIGEST_LANES, async ({ channel, key, target, platform }) => {
    if (!(await jobs.claimRun(key, 'weekly-digest', ctx.at))) return;
    try {
      const digest = await ctx.quiz.weeklyDigest(channel.id);
      if (digest.questionsAsked === 0) {
        await jobs.finishRun(key, 'done', ctx.at, { skipped: 'no questions this week' });
        outcomes.push({ target, outcome: 'skipped', reason: 'no questions this week' });
        return;
      }
      const extras = await digestExtras(ctx, channel, platform, drawing);
      await ctx.queue.run(
        target,
        () =>
          platform.postDigest(
            { workspaceId: channel.workspaceExternalId, channelId: channel.externalId },
            { ...digest, ...extras },
          ),
        `${channel.platform}:${channel.workspaceExternalId}`,
      );
      await jobs.finishRun(key, 'done', ctx.at);
      outcomes.push({ target, outcome: 'sent', reason: `digest ${digest.week}` });
    } catch (error) {
      await jobs.releaseRun(key);
      outcomes.push({ target, outcome: 'failed', reason: errorText(error) });
    }
  });
  return outcomes;
}
