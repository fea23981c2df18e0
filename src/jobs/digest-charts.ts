import { isAppError } from '../errors.js';
import { createDigestChartsRepository, type OwedChart } from './digest-charts.repository.js';
import { drawDigestChart } from './digest-extras.js';
import { errorText, type JobContext, type JobOutcome } from './job.js';
import { createLimit, forEachInTurns } from './limit.js';

/**
 * Charts drawn at once. Drawing is CPU work (Vega on the event loop, the raster on libuv's
 * threads): two at a time keep both busy while the event loop still has room for other jobs' sends.
 */
const CHART_SLOTS = 2;
/** Charts drawn or uploaded at once, across workspaces. */
const CHART_LANES = 16;
/**
 * Charts of one workspace under way at once, at least: the lanes are shared out among the workspaces
 * with charts owed (one alone has them all), but never below this. Past its pace (100 uploads a
 * minute on Slack) a workspace's lanes only wait, so the share keeps them from holding every lane.
 */
const LANES_PER_WORKSPACE = 4;
/**
 * How long a run holds a chart it draws and uploads. An upload may wait up to a minute for each of
 * its two paced calls, plus the client's retries of a 429; past the lease (the run died), another
 * run takes the chart over.
 */
const CHART_LEASE_MS = 5 * 60_000;
/** After a failed upload (one that may pass), when a run tries the chart again. */
const CHART_RETRY_MS = 5 * 60_000;
/** A chart not out a day after its digest is dropped rather than posted under a digest long read. */
const CHART_DEADLINE_MS = 24 * 3600_000;

/**
 * The digest-charts job: uploads the charts owed to digests already posted (Slack, where a chart
 * follows its digest into the thread). The weekly-digest job only sends the texts and records the
 * charts they owe, so a chart pass of many minutes (a workspace with 1,000 channels at 100 uploads a
 * minute) never holds back the next digest that falls due; this job, every minute, uploads whatever
 * is owed, those a stopped or crashed run left included. Each chart is claimed just before it is
 * drawn, so two replicas never upload the same one; the workspaces take turns, each at its own pace,
 * so a small workspace's charts do not queue behind a large one's. When `ctx.signal` aborts (the
 * process is stopping), no further chart starts and a wait for the upload pace is cut short; what is
 * left is owed still, and a later tick on any replica uploads it.
 *
 * Not through the send queue: an upload waits for its workspace's turn at the upload pace, and a
 * queue slot held while waiting would hold back the posts of other jobs that share the queue.
 */
export async function uploadDigestCharts(ctx: JobContext): Promise<JobOutcome[]> {
  const charts = createDigestChartsRepository(ctx.db);
  const log = ctx.logger.child({ job: 'digest-charts' });
  const started = performance.now();
  // The run's own time, moved on by what it has taken so far: a lease taken late in a long pass
  // runs from when it was taken.
  const now = () => new Date(ctx.at.getTime() + (performance.now() - started));

  for (const late of await charts.dropOwedBefore(new Date(ctx.at.getTime() - CHART_DEADLINE_MS), ctx.at))
    log.warn(
      { channelId: late.channelId, week: late.week, owedSince: late.owedSince, attempts: late.attempts },
      'digest chart dropped: not uploaded within a day of its digest',
    );
  // Most minutes nothing is owed: one indexed read, and the channels are not read at all.
  const owed = await charts.owed();
  if (owed.length === 0) return [];
  // A chart of a channel that has since left is dropped.
  const channels = new Map((await ctx.quiz.activeChannels()).map((c) => [c.id, c]));
  const drawing = createLimit(CHART_SLOTS);
  const byWorkspace = new Map<string, OwedChart[]>();
  for (const chart of owed)
    byWorkspace.set(chart.workspace, [...(byWorkspace.get(chart.workspace) ?? []), chart]);
  const outcomes: JobOutcome[] = [];

  await forEachInTurns(
    [...byWorkspace.values()],
    {
      lanes: CHART_LANES,
      perGroup: Math.max(LANES_PER_WORKSPACE, Math.ceil(CHART_LANES / byWorkspace.size)),
      stopped: () => ctx.signal?.aborted === true,
    },
    (chart) =>
      uploadOne(chart).catch((error: unknown) =>
        log.error(
          { err: error, channelId: chart.channelId, week: chart.week },
          'digest chart could not be settled; a later tick tries again once its claim has run out',
        ),
      ),
  );
  return outcomes;

  async function uploadOne(chart: OwedChart): Promise<void> {
    const channel = channels.get(chart.channelId);
    if (!channel) {
      await charts.settle(chart.key, 'dropped', now(), 'the channel is no longer subscribed');
      return;
    }
    const platform = ctx.platforms[channel.platform];
    // A replica that cannot reach the platform leaves the chart to one that can.
    if (!platform?.postDigestChart) return;
    if (!(await charts.claim(chart.key, now(), CHART_LEASE_MS))) return;
    const where = { channelId: channel.externalId, week: chart.week };
    const target = `${channel.platform}:${channel.externalId}`;
    let uploaded = false;
    try {
      // Drawn as of the digest, so that it shows what the digest's text says.
      const image = await drawDigestChart({ ...ctx, at: chart.owedSince }, channel, platform, drawing);
      if (!image) {
        await charts.settle(chart.key, 'failed', now(), 'the chart could not be drawn');
        outcomes.push({ target, outcome: 'skipped', reason: `chart ${chart.week} could not be drawn` });
        return;
      }
      // Stopping while it waited to be drawn: no upload begins now.
      ctx.signal?.throwIfAborted();
      await platform.postDigestChart(
        chart.messageRef,
        { week: chart.week, image },
        ctx.signal ? { signal: ctx.signal } : {},
      );
      uploaded = true;
      await charts.settle(chart.key, 'sent', now());
      outcomes.push({ target, outcome: 'sent', reason: `chart ${chart.week}` });
    } catch (error) {
      if (uploaded) {
        // In the thread, but not recorded: the claim stays until its lease runs out. Rare (the
        // database failed right after the upload), and loud, as a later run may upload it again.
        log.error({ err: error, ...where }, 'digest chart uploaded but not recorded as sent');
      } else if (ctx.signal?.aborted) {
        // Stopped before its upload began or while it waited for its turn: free at once for the
        // next tick, on any replica.
        await charts.release(chart.key);
      } else if (isAppError(error, 'platform.refused')) {
        await charts.settle(chart.key, 'failed', now(), errorText(error.cause ?? error));
        // Not 'failed': no later tick tries it again, and the line below already says why.
        outcomes.push({ target, outcome: 'skipped', reason: `chart ${chart.week} refused for good` });
        log.warn({ err: error, ...where }, 'digest chart refused for good; it is not tried again');
      } else {
        await charts.release(chart.key, new Date(now().getTime() + CHART_RETRY_MS));
        outcomes.push({ target, outcome: 'failed', reason: `chart ${chart.week}: ${errorText(error)}` });
        log.warn({ err: error, ...where }, 'digest chart not uploaded; a later tick tries again');
      }
    }
  }
}
