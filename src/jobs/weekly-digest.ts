import type { PlacedChannel } from '../quiz/channels/channels.repository.js';
import type { ChatPlatform, MessageRef } from '../quiz/port.js';
import { instantAt, isoWeekdayOf, isoWeekOf, localDateOf } from '../quiz/schedule.js';
import { createDigestChartsRepository } from './digest-charts.repository.js';
import { digestTraps, drawDigestChart } from './digest-extras.js';
import { DEFAULT_CATCH_UP_MS, errorText, type JobContext, type JobOutcome, notConfigured } from './job.js';
import { createJobsRepository } from './jobs.repository.js';
import { createLimit, forEachInLanes } from './limit.js';

/**
 * Channels whose digest is prepared and sent at once. Most of a lane's time is spent waiting (on the
 * database, on the platform's pace), so several lanes keep the sends flowing; each lane holds at most
 * one digest, so memory stays flat.
 */
const DIGEST_LANES = 16;
/**
 * Charts drawn at once (those sent inside the digest, on Teams). Drawing is CPU work (Vega on the
 * event loop, the raster on libuv's threads): two at a time keep both busy while the event loop
 * still has room to send.
 */
const CHART_SLOTS = 2;

type Due = { channel: PlacedChannel; key: string; target: string; platform: ChatPlatform };

/**
 * At each channel's digest day and time: the week's digest, once per channel and ISO week. Where the
 * chart sits inside the digest message (Teams), it is drawn and sent with the text. Where it follows
 * the digest into its thread (Slack), this job only records it as owed with the digest's text and
 * returns; the digest-charts job (digest-charts.ts) uploads it. Uploads keep to a slower
 * per-workspace pace (100 a minute on Slack), so a workspace with hundreds of channels has minutes
 * of charts to upload: done here, they would keep the next digest that falls due waiting for this
 * job's lane. Once `ctx.signal` aborts, no further digest starts.
 */
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
  const charts = createDigestChartsRepository(ctx.db);
  // A lane sends one digest after another: while some lanes wait on the platform's pace, others
  // read the next ones.
  await forEachInLanes(due, DIGEST_LANES, async ({ channel, key, target, platform }) => {
    // Stopping: a digest not begun is left unclaimed, for a later tick within the catch-up window.
    if (ctx.signal?.aborted) return;
    if (!(await jobs.claimRun(key, 'weekly-digest', ctx.at))) return;
    let sent: { ref: MessageRef; week: string } | undefined;
    try {
      const digest = await ctx.quiz.weeklyDigest(channel.id);
      if (digest.questionsAsked === 0) {
        await jobs.finishRun(key, 'done', ctx.at, { skipped: 'no questions this week' });
        outcomes.push({ target, outcome: 'skipped', reason: 'no questions this week' });
        return;
      }
      const chartFollows = Boolean(platform.digestChart && platform.postDigestChart);
      const [traps, chart] = await Promise.all([
        digestTraps(ctx, channel),
        chartFollows ? undefined : drawDigestChart(ctx, channel, platform, drawing),
      ]);
      const ref = await ctx.queue.run(
        target,
        () =>
          platform.postDigest(
            { workspaceId: channel.workspaceExternalId, channelId: channel.externalId },
            { ...digest, ...(traps ? { traps } : {}), ...(chart ? { chart } : {}) },
          ),
        `${channel.platform}:${channel.workspaceExternalId}`,
      );
      sent = { ref, week: digest.week };
      // The chart is owed before the digest is marked done: should the process die in between, the
      // digest's claim keeps it from going out twice and its chart still follows.
      if (chartFollows)
        await charts.owe({
          key,
          channelId: channel.id,
          workspace: `${channel.platform}:${channel.workspaceExternalId}`,
          week: digest.week,
          messageRef: ref,
          owedSince: ctx.at,
        });
      // Recorded as soon as it is out; the chart that may follow never puts it at risk again.
      await jobs.finishRun(key, 'done', ctx.at);
      outcomes.push({ target, outcome: 'sent', reason: `digest ${digest.week}` });
    } catch (error) {
      if (sent) {
        // Out, but not marked done: the claim stays as it is, so no later tick sends it a second time.
        ctx.logger.error(
          { err: error, job: 'weekly-digest', target, key },
          'digest sent but not recorded as done; its claim is kept so that it is not sent again',
        );
        outcomes.push({ target, outcome: 'sent', reason: `digest ${sent.week}` });
        return;
      }
      await jobs.releaseRun(key);
      outcomes.push({ target, outcome: 'failed', reason: errorText(error) });
    }
  });
  return outcomes;
}
