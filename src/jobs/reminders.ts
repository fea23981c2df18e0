import { DateTime } from 'luxon';
import { isoWeekOf, localDateOf } from '../quiz/schedule.js';
import { errorText, type JobContext, type JobOutcome, notConfigured } from './job.js';
import { createJobsRepository } from './jobs.repository.js';

const REMINDER_HOUR = 10;
const QUIET_FROM_HOUR = 20;
const INACTIVE_AFTER_DAYS = 30;

/**
 * Weak-topic reminders: weekdays from 10:00 in each person's timezone, never in quiet hours
 * (20:00–08:00), not while snoozed, not after 30 days without activity; once per person and period.
 */
export async function sendReminders(ctx: JobContext): Promise<JobOutcome[]> {
  const jobs = createJobsRepository(ctx.db);
  const outcomes: JobOutcome[] = [];
  const sends: Array<Promise<void>> = [];
  for (const person of await ctx.quiz.reminderCandidates(ctx.at, INACTIVE_AFTER_DAYS)) {
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
            await ctx.quiz.rememberDirectChannel(person.userId, sent.directChannelId);
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
