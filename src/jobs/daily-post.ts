import type { PlacedChannel } from '../quiz/channels/channels.repository.js';
import type { ChatPlatform, DailyQuestionMessage } from '../quiz/port.js';
import { instantAt, isoWeekdayOf, localDateOf } from '../quiz/schedule.js';
import type { PostRow } from '../quiz/types.js';
import { createDeliveryRecorder } from './delivery-recorder.js';
import { DEFAULT_CATCH_UP_MS, errorText, type JobContext, type JobOutcome, notConfigured } from './job.js';

/** How long a replica holds a post while it delivers it; past that another may retry. */
const DELIVERY_LEASE_MS = 2 * 60_000;
/** Daily posts sent per slice of a fan-out. */
const SEND_SLICE = 250;

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

/**
 * For each subscribed channel whose local post time has passed today, on one of its days, with no
 * post yet: claim (channel, date) in the database, post through the platform, store the reference.
 * Claims, question loads and the bookkeeping after sending are done in bulk, so a morning with
 * thousands of due channels costs a handful of queries besides the sends themselves.
 */
export async function postDailyQuestions(ctx: JobContext): Promise<JobOutcome[]> {
  const catchUp = ctx.catchUpMs ?? DEFAULT_CATCH_UP_MS;
  const outcomes: JobOutcome[] = [];
  type Due = { channel: PlacedChannel; date: string; target: string; platform: ChatPlatform };
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

  for (const channel of await ctx.quiz.activeChannels()) {
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
    (items: Array<{ post: PostRow; channel: PlacedChannel; messageRef: unknown }>) =>
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
    const claimed = await ctx.quiz.claimDeliveries(
      pending.slice(i, i + SEND_SLICE).map((p) => p.id),
      now,
      DELIVERY_LEASE_MS,
    );
    await Promise.all(claimed.map(send));
  }
  await Promise.all(recording);
  return outcomes;
}
