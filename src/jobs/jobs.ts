import { DateTime } from 'luxon';
import type { Database } from '../db/client.js';
import type { Platform } from '../db/schema.js';
import type { Logger } from '../logger.js';
import { createIdentityRepository } from '../quiz/identity.repository.js';
import type { ChatPlatform, DailyQuestionMessage, MessageRef } from '../quiz/port.js';
import { createPostsRepository, type PostRow } from '../quiz/posts.repository.js';
import type { Quiz } from '../quiz/quiz.js';
import { instantAt, isoWeekdayOf, isoWeekOf, localDateOf } from '../quiz/schedule.js';
import { createJobsRepository } from './jobs.repository.js';
import type { SendQueue } from './send-queue.js';

export const JOB_NAMES = ['daily-post', 'close-questions', 'weekly-digest', 'reminders'] as const;
export type JobName = (typeof JOB_NAMES)[number];

export interface JobContext {
  /** The instant the job runs as; no job reads the clock itself. */
  at: Date;
  db: Database;
  /** A quiz whose clock stands at `at`. */
  quiz: Quiz;
  platforms: Partial<Record<Platform, ChatPlatform>>;
  queue: SendQueue;
  logger: Logger;
  defaultTimezone: string;
  /** How late a missed daily post or digest may still go out (default 3 h). */
  catchUpMs?: number;
}

export interface JobOutcome {
  target: string;
  outcome: 'posted' | 'revealed' | 'sent' | 'skipped' | 'failed';
  reason?: string;
}

export interface JobReport {
  job: JobName;
  at: Date;
  outcomes: JobOutcome[];
}

const DEFAULT_CATCH_UP_MS = 3 * 3600_000;
/** How long a replica holds a post while it delivers it; past that another may retry. */
const DELIVERY_LEASE_MS = 2 * 60_000;
const REMINDER_HOUR = 10;
const QUIET_FROM_HOUR = 20;
const INACTIVE_AFTER_DAYS = 30;

export async function runJob(name: JobName, ctx: JobContext): Promise<JobReport> {
  const outcomes = await JOBS[name](ctx);
  for (const o of outcomes) {
    if (o.outcome === 'failed')
      ctx.logger.warn({ job: name, ...o }, 'scheduled work failed; a later tick retries');
    else if (o.outcome !== 'skipped' || o.reason?.startsWith('missed'))
      ctx.logger.info({ job: name, ...o }, 'scheduled work');
  }
  return { job: name, at: ctx.at, outcomes };
}

const JOBS: Record<JobName, (ctx: JobContext) => Promise<JobOutcome[]>> = {
  'daily-post': postDailyQuestions,
  'close-questions': closeQuestions,
  'weekly-digest': postWeeklyDigests,
  reminders: sendReminders,
};

/** Retry delays after failed sends: 1, 2, 4 … minutes, at most 15. */
function backoffMs(attempts: number): number {
  return Math.min(60_000 * 2 ** Math.max(0, attempts - 1), 15 * 60_000);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * For each subscribed channel whose local post time has passed today, on one of its days, with no
 * post yet: claim (channel, date) in the database, post through the platform, store the reference.
 */
async function postDailyQuestions(ctx: JobContext): Promise<JobOutcome[]> {
  const identity = createIdentityRepository(ctx.db);
  const postsRepo = createPostsRepository(ctx.db);
  const jobs = createJobsRepository(ctx.db);
  const catchUp = ctx.catchUpMs ?? DEFAULT_CATCH_UP_MS;
  const outcomes: JobOutcome[] = [];
  const sends: Array<Promise<void>> = [];

  for (const channel of await identity.activeChannels()) {
    const target = `${channel.platform}:${channel.externalId}`;
    const date = localDateOf(ctx.at, channel.timezone);
    if (!channel.days.includes(isoWeekdayOf(date))) continue;
    const scheduled = instantAt(date, channel.postTime, channel.timezone);
    if (ctx.at < scheduled) continue;
    const platform = ctx.platforms[channel.platform];
    if (!platform) {
      outcomes.push({ target, outcome: 'skipped', reason: `${channel.platform} is not configured` });
      continue;
    }
    let post = await postsRepo.findPost(channel.id, date);
    if (post && post.status !== 'pending') continue;
    const late = ctx.at.getTime() - scheduled.getTime();
    if (late > catchUp) {
      if (!post) {
        outcomes.push({
          target,
          outcome: 'skipped',
          reason: `missed ${date}: ${Math.round(late / 60_000)} min after post time, beyond the catch-up window`,
        });
      }
      continue;
    }
    post ??= (await ctx.quiz.postDailyQuestion(channel.id, date)).post;
    const claimed = await jobs.claimDelivery(post.id, ctx.at, DELIVERY_LEASE_MS);
    if (!claimed) continue; // another replica is delivering it, or a retry is not due yet
    const question = await postsRepo.loadQuestion(claimed.questionId, claimed.questionVersion);
    if (!question) continue;
    const message: DailyQuestionMessage = {
      postId: claimed.id,
      localDate: date,
      question,
      answered: 0,
      closesAt: null,
      closed: false,
    };
    sends.push(
      ctx.queue
        .run(target, () =>
          platform.postQuestion(
            { workspaceId: channel.workspaceExternalId, channelId: channel.externalId },
            message,
          ),
        )
        .then(async (ref) => {
          await ctx.quiz.markPostDelivered(claimed.id, ref);
          outcomes.push({ target, outcome: 'posted', reason: `${date} ${question.id}` });
        })
        .catch(async (error: unknown) => {
          await ctx.quiz.recordDeliveryFailure(
            claimed.id,
            errorText(error),
            new Date(ctx.at.getTime() + backoffMs(claimed.attempts)),
          );
          outcomes.push({ target, outcome: 'failed', reason: errorText(error) });
        }),
    );
  }
  await Promise.all(sends);
  return outcomes;
}

/** Closes each open question at its close time and posts its reveal once. */
async function closeQuestions(ctx: JobContext): Promise<JobOutcome[]> {
  const identity = createIdentityRepository(ctx.db);
  const jobs = createJobsRepository(ctx.db);
  const outcomes: JobOutcome[] = [];
  for (const post of await ctx.quiz.postsDueToClose()) await ctx.quiz.closePost(post.id);

  const sends: Array<Promise<void>> = [];
  for (const post of await jobs.unrevealed()) {
    const channel = await identity.getChannel(post.channelId);
    const workspace = channel && (await identity.getWorkspace(channel.workspaceId));
    if (!channel || !workspace) continue;
    const platform = ctx.platforms[workspace.platform];
    if (!platform) continue;
    if (!(await jobs.claimReveal(post.id, ctx.at))) continue;
    const target = `${workspace.platform}:${channel.externalId}`;
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

/** At each channel's digest day and time: the week's digest, once per channel and ISO week. */
async function postWeeklyDigests(ctx: JobContext): Promise<JobOutcome[]> {
  const identity = createIdentityRepository(ctx.db);
  const jobs = createJobsRepository(ctx.db);
  const catchUp = ctx.catchUpMs ?? DEFAULT_CATCH_UP_MS;
  const outcomes: JobOutcome[] = [];
  for (const channel of await identity.activeChannels()) {
    const date = localDateOf(ctx.at, channel.timezone);
    if (isoWeekdayOf(date) !== channel.digestDay) continue;
    const due = instantAt(date, channel.digestTime, channel.timezone);
    if (ctx.at < due || ctx.at.getTime() - due.getTime() > catchUp) continue;
    const platform = ctx.platforms[channel.platform];
    if (!platform) continue;
    const target = `${channel.platform}:${channel.externalId}`;
    const key = `weekly-digest:${channel.id}:${isoWeekOf(ctx.at, channel.timezone)}`;
    if (!(await jobs.claimRun(key, 'weekly-digest', ctx.at))) continue;
    try {
      const digest = await ctx.quiz.weeklyDigest(channel.id);
      if (digest.questionsAsked === 0) {
        await jobs.finishRun(key, 'done', ctx.at, { skipped: 'no questions this week' });
        outcomes.push({ target, outcome: 'skipped', reason: 'no questions this week' });
        continue;
      }
      await ctx.queue.run(target, () =>
        platform.postDigest(
          { workspaceId: channel.workspaceExternalId, channelId: channel.externalId },
          digest,
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

/**
 * Weak-topic reminders: weekdays from 10:00 in each person's timezone, never in quiet hours
 * (20:00–08:00), not while snoozed, not after 30 days without activity; once per person and period.
 */
async function sendReminders(ctx: JobContext): Promise<JobOutcome[]> {
  const jobs = createJobsRepository(ctx.db);
  const outcomes: JobOutcome[] = [];
  const sends: Array<Promise<void>> = [];
  for (const person of await jobs.reminderCandidates(ctx.at, INACTIVE_AFTER_DAYS)) {
    const timezone = person.timezone ?? ctx.defaultTimezone;
    const local = DateTime.fromJSDate(ctx.at, { zone: timezone });
    if (local.weekday > 5 || local.hour < REMINDER_HOUR || local.hour >= QUIET_FROM_HOUR) continue;
    const platform = ctx.platforms[person.platform];
    if (!platform) continue;
    const period = person.reminders === 'daily' ? localDateOf(ctx.at, timezone) : isoWeekOf(ctx.at, timezone);
    const key = `reminder:${person.userId}:${period}`;
    if (!(await jobs.claimRun(key, 'reminders', ctx.at))) continue;
    const target = `${person.platform}:user:${person.externalId}`;
    const reminder = await ctx.quiz.reminderFor(person.userId);
    if (!reminder) {
      await jobs.finishRun(key, 'done', ctx.at, { skipped: 'no weak topic' });
      continue;
    }
    sends.push(
      ctx.queue
        .run(target, () =>
          platform.sendReminder(
            {
              workspaceId: person.workspaceExternalId,
              userId: person.externalId,
              directChannelId: person.directChannelId,
            },
            reminder,
          ),
        )
        .then(async (sent) => {
          if (sent.directChannelId && sent.directChannelId !== person.directChannelId) {
            await jobs.rememberDirectChannel(person.userId, sent.directChannelId);
          }
          await jobs.finishRun(key, 'done', ctx.at, { topic: reminder.topic.topic });
          outcomes.push({ target, outcome: 'sent', reason: reminder.topic.topic });
        })
        .catch(async (error: unknown) => {
          await jobs.releaseRun(key);
          outcomes.push({ target, outcome: 'failed', reason: errorText(error) });
        }),
    );
  }
  await Promise.all(sends);
  return outcomes;
}
