import { renderDigestChartWithin } from '../insight/digest-chart.js';
import { loadDigestChartData } from '../insight/digest-chart-data.js';
import { createInsightRepository, type InsightChannel } from '../insight/insight.repository.js';
import { digestDaysAt, findWeekTraps } from '../insight/traps.js';
import type { ChatPlatform } from '../quiz/port.js';
import type { DigestChartImage, DigestTraps } from '../quiz/quiz.js';
import type { JobContext } from './job.js';

/*
 * What the weekly digest carries beside its text: the week's trap and the chart of the last weeks.
 * Neither may hold the digest back: whatever cannot be read or drawn is logged and left out.
 */

/** The week's trap in a channel, or nothing (logged) when it cannot be read. */
export async function digestTraps(
  ctx: JobContext,
  channel: InsightChannel,
): Promise<DigestTraps | undefined> {
  const repository = createInsightRepository(ctx.db);
  const traps = await findWeekTraps(repository, {
    channelId: channel.id,
    ...digestDaysAt(ctx.at, channel.timezone),
  }).catch((error: unknown) => {
    ctx.logger
      .child({ job: 'weekly-digest', channelId: channel.id })
      .warn({ err: error }, "the week's traps could not be read; posting the digest without them");
    return undefined;
  });
  if (!traps) return undefined;
  const topicTitle = ctx.quiz.topics().find((t) => t.slug === traps.topic)?.title;
  return {
    topic: traps.topic,
    topicTitle: topicTitle ?? traps.topic,
    stem: traps.stem,
    answers: traps.answers,
    correct: traps.correct,
    ...(traps.trap
      ? {
          trap: {
            label: traps.trap.label,
            text: traps.trap.text,
            picks: traps.trap.picks,
            why: traps.trap.why,
          },
        }
      : {}),
    explanation: traps.explanation,
  };
}

/**
 * The channel's chart of the last weeks as of `ctx.at`, drawn to the platform's size limit, or
 * nothing (logged) when the platform shows no chart or it cannot be read or drawn.
 */
export async function drawDigestChart(
  ctx: JobContext,
  channel: InsightChannel,
  platform: ChatPlatform,
  /** Bounds how many charts are drawn at once across the job; runs the drawing as it is. */
  drawing: <T>(draw: () => Promise<T>) => Promise<T> = (draw) => draw(),
): Promise<DigestChartImage | undefined> {
  if (!platform.digestChart) return undefined;
  const log = ctx.logger.child({ job: 'weekly-digest', channelId: channel.id });
  const data = await loadDigestChartData(createInsightRepository(ctx.db), channel, ctx.at).catch(
    (error: unknown) => {
      log.warn({ err: error }, 'digest chart data could not be read; posting the digest without it');
      return undefined;
    },
  );
  return data && drawing(() => renderDigestChartWithin(data, log, platform.digestChart));
}
