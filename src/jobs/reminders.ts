import { DateTime } from 'luxon';
import { isoWeekOf, localDateOf } from '../quiz/schedule.js';
import { errorText, type JobContext, type JobOutcome, notConfigured } from './job.js';
import { createJobsRepository } from './jobs.repository.js';

const REMINDER_HOUR = 10;
const QUIET_FROM_HOUR = 20;
const INACTIVE_AFTER_DAYS = 30;

/**
 * Study reminders (the next question: due, weak topic or new): weekdays from 10:00 in each person's timezone, never in quiet hours
 * (20:00–08:00), not while snoozed, not after 30 days without activity; once per person and period (a day or a week, as they chose, daily as their exam nears).
 */
export async function sendReminders(ctx: JobContext): Promise<JobOutcome[]> {
  const jobs = createJobsRepository(ctx.db);
  const outcomes: JobOutcome[] = [];
  const sends: Array<Promise<void>> = [];
  for (const person of await ctx.quiz.reminderCandidates(ctx.at, INACTIVE_AFTER_DAYS)) {
    const timezone = person.timezone ?? ctx.defaultTimezone;
    const local = DateTime.fromJSDate(ctx.at, { zone: timezone });
    if (local.weekday > 5 || local.hour < REMINDER_HOUR || local.hour >= QUIET_FROM_HOUR) continue;
    // An exam date near or a heavy plan makes weekly reminders daily; none on the exam day.
    const cadence = await ctx.quiz.reminderCadenceOf(person, ctx.at);
    if (cadence === 'none') continue;
    const period = cadence === 'daily' ? localDateOf(ctx.at, timezone) : isoWeekOf(ctx.at, timezone);
    const key = `reminder:${person.userId}:${period}`;
    const target = `${person.platform}:user:${person.externalId}`;
    const platform = ctx.platforms[person.platform];
    if (!platform) {
      if (!(await jobs.hasRun(key)) && (await ctx.quiz.reminderFor(person.userId, person)))
        outcomes.push({ target, outcome: 'failed', reason: notConfigured(person.platform) });
      continue;
    }
    if (!(await jobs.claimRun(key, 'reminders', ctx.at))) continue;
    const reminder = await ctx.quiz.reminderFor(person.userId, person);
    if (!reminder) {
      await jobs.finishRun(key, 'done', ctx.at, { skipped: 'nothing to practise' });
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
          // The weak topic's slug, else why the question was picked (due, new).
          const reason = reminder.topic?.topic ?? reminder.practice.reason;
          await jobs.finishRun(key, 'done', ctx.at, { reason });
          outcomes.push({ target, outcome: 'sent', reason });
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
