import { DateTime } from 'luxon';
import type { Database } from '../db/client.js';
import type { Platform } from '../db/schema.js';
import type { Logger } from '../logger.js';
import { type ChannelRow, createIdentityRepository } from '../quiz/identity.repository.js';
import type { ChatPlatform, DailyQuestionMessage, MessageRef } from '../quiz/port.js';
import type { PostRow } from '../quiz/posts.repository.js';
import type { Quiz } from '../quiz/quiz.js';
import { instantAt, isoWeekdayOf, isoWeekOf, localDateOf } from '../quiz/schedule.js';
import { createDeliveryRecorder } from './delivery-recorder.js';
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
/** Daily posts sent per slice of a fan-out. */
const SEND_SLICE = 250;

type ChannelWithPlatform = ChannelRow & { platform: Platform; workspaceExternalId: string };

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

function memo<T>(compute: (key: string) => T): (key: string) => T {
  const cache = new Map<string, T>();
  return (key) => {
    let value = cache.get(key);
    if (value === undefined) {
      value = compute(key);
      cache.set(key, value);
    }
    return value;
  };
}

/** Retry delays after failed sends: 1, 2, 4 … minutes, at most 15. */
function backoffMs(attempts: number): number {
  return Math.min(60_000 * 2 ** Math.max(0, attempts - 1), 15 * 60_000);
}

function notConfigured(platform: Platform): string {
  return platform === 'local'
    ? 'local is not configured: the terminal channel runs only while no chat platform is (type "unsubscribe" in "aif-quiz local" to stop it)'
    : `${platform} is not configured in this process`;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * For each subscribed channel whose local post time has passed today, on one of its days, with no
 * post yet: claim (channel, date) in the database, post through the platform, store the reference.
 * Claims, question loads and the bookkeeping after sending are done in bulk, so a morning with
 * thousands of due channels costs a handful of queries besides the sends themselves.
 */
async function postDailyQuestions(ctx: JobContext): Promise<JobOutcome[]> {
  const identity = createIdentityRepository(ctx.db);
  const jobs = createJobsRepository(ctx.db);
  const catchUp = ctx.catchUpMs ?? DEFAULT_CATCH_UP_MS;
  const outcomes: JobOutcome[] = [];
  type Due = { channel: ChannelWithPlatform; date: string; target: string; platform: ChatPlatform };
  const inWindow: Due[] = [];
  const tooLate: Array<Omit<Due, 'platform'> & { late: number }> = [];
  const unconfigured: Array<Omit<Due, 'platform'>> = [];
  // Thousands of channels share a few timezones and post times: work each out once per tick.
  const dateIn = memo((timezone: string) => localDateOf(ctx.at, timezone));
  const weekdayOf = memo(isoWeekdayOf);
  const scheduledAt = memo((key: string) => {
    const [date, time, timezone] = key.split('|') as [string, string, string];
    return instantAt(date, time, timezone);
  });

  for (const channel of await identity.activeChannels()) {
    const target = `${channel.platform}:${channel.externalId}`;
    const date = dateIn(channel.timezone);
    if (!channel.days.includes(weekdayOf(date))) continue;
    const scheduled = scheduledAt(`${date}|${channel.postTime}|${channel.timezone}`);
    if (ctx.at < scheduled) continue;
    const late = ctx.at.getTime() - scheduled.getTime();
    const platform = ctx.platforms[channel.platform];
    if (late > catchUp) tooLate.push({ channel, date, target, late });
    else if (!platform) unconfigured.push({ channel, date, target });
    else inWindow.push({ channel, date, target, platform });
  }

  // Due here, but this process cannot reach the platform: that is a failure to see, not a skip.
  // A day another process already posted is not due.
  const postedElsewhere = new Set(
    (await ctx.quiz.findDailyPosts(unconfigured.map((d) => ({ channelId: d.channel.id, localDate: d.date }))))
      .filter((p) => p.status !== 'pending')
      .map((p) => p.channelId),
  );
  for (const d of unconfigured) {
    if (!postedElsewhere.has(d.channel.id))
      outcomes.push({ target: d.target, outcome: 'failed', reason: notConfigured(d.channel.platform) });
  }

  // Past the catch-up window: say so once for a day that was never posted; a pending one is given up.
  const lateExisting = new Set(
    (await ctx.quiz.findDailyPosts(tooLate.map((d) => ({ channelId: d.channel.id, localDate: d.date })))).map(
      (p) => p.channelId,
    ),
  );
  for (const d of tooLate) {
    if (!lateExisting.has(d.channel.id)) {
      outcomes.push({
        target: d.target,
        outcome: 'skipped',
        reason: `missed ${d.date}: ${Math.round(d.late / 60_000)} min after post time, beyond the catch-up window`,
      });
    }
  }

  const byChannel = new Map(inWindow.map((d) => [d.channel.id, d]));
  const prepared = await ctx.quiz.prepareDailyPosts(
    inWindow.map((d) => ({ channelId: d.channel.id, localDate: d.date })),
  );
  const pending = prepared.filter((p) => p.status === 'pending');
  const questions = await ctx.quiz.questionsOf(pending);
  const started = performance.now();

  const deliveries = createDeliveryRecorder(
    (items: Array<{ post: PostRow; channel: ChannelWithPlatform; messageRef: unknown }>) =>
      ctx.quiz.markPostsDelivered(items),
  );
  const recording: Array<Promise<void>> = [];
  const send = async (post: PostRow) => {
    const due = byChannel.get(post.channelId);
    const question = questions.get(`${post.questionId}@${post.questionVersion}`);
    if (!due || !question) return;
    const message: DailyQuestionMessage = {
      postId: post.id,
      localDate: post.localDate,
      question,
      answered: 0,
      closesAt: null,
      closed: false,
    };
    let ref: unknown;
    try {
      ref = await ctx.queue.run(
        due.target,
        () =>
          due.platform.postQuestion(
            { workspaceId: due.channel.workspaceExternalId, channelId: due.channel.externalId },
            message,
          ),
        `${due.channel.platform}:${due.channel.workspaceExternalId}`,
      );
    } catch (error) {
      await ctx.quiz.recordDeliveryFailure(
        post.id,
        errorText(error),
        new Date(ctx.at.getTime() + backoffMs(post.attempts)),
      );
      outcomes.push({ target: due.target, outcome: 'failed', reason: errorText(error) });
      return;
    }
    // The next sends need not wait for this write: the run waits for all of them before it ends.
    recording.push(
      deliveries.record({ post, channel: due.channel, messageRef: ref }).then(
        () => {
          outcomes.push({
            target: due.target,
            outcome: 'posted',
            reason: `${post.localDate} ${question.id}`,
          });
        },
        (error: unknown) => {
          // The channel has the question but the database does not know: once the lease runs out a
          // later tick posts it again. Rare (the database failed right after the send), and loud.
          outcomes.push({
            target: due.target,
            outcome: 'failed',
            reason: `posted, but not recorded (${errorText(error)}); it may be posted again`,
          });
        },
      ),
    );
  };
  // Sends go out in slices, so memory stays flat however many channels are due; the queue still
  // overlaps sends within a slice.
  // Each slice is claimed just before it is sent, so a claim's lease runs from its own sends: a
  // fan-out longer than the lease never hands its tail to another run while it still means to send
  // it, and after a crash the slices not yet claimed are free at once. Only posts this run claims
  // are sent; another run, or a retry not yet due, keeps the rest.
  for (let i = 0; i < pending.length; i += SEND_SLICE) {
    const now = new Date(ctx.at.getTime() + (performance.now() - started));
    const claimed = await jobs.claimDeliveries(
      pending.slice(i, i + SEND_SLICE).map((p) => p.id),
      now,
      DELIVERY_LEASE_MS,
    );
    await Promise.all(claimed.map(send));
  }
  await Promise.all(recording);
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
    const period = person.reminders === 'daily' ? localDateOf(ctx.at, timezone) : isoWeekOf(ctx.at, timezone);
    const key = `reminder:${person.userId}:${period}`;
    const target = `${person.platform}:user:${person.externalId}`;
    const platform = ctx.platforms[person.platform];
    if (!platform) {
      if (!(await jobs.hasRun(key)) && (await ctx.quiz.reminderFor(person.userId)))
        outcomes.push({ target, outcome: 'failed', reason: notConfigured(person.platform) });
      continue;
    }
    if (!(await jobs.claimRun(key, 'reminders', ctx.at))) continue;
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
