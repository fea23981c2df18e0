import { closeQuestions } from './close-questions.js';
import { postDailyQuestions } from './daily-post.js';
import { uploadDigestCharts } from './digest-charts.js';
import { keepTablesSmall } from './housekeeping.js';
import type { Job, JobContext, JobOutcome } from './job.js';
import { sendReminders } from './reminders.js';
import { postWeeklyDigests } from './weekly-digest.js';

export type { JobContext, JobOutcome } from './job.js';

/**
 * The jobs; every tick starts each one in a lane of its own (see scheduler.ts). A new job is a
 * module of its own in this folder that exports a `Job`, registered here (and in deploy/, where
 * each job is also a CronJob). A job that waits for another in the same tick (RUNS_AFTER) is listed
 * after it.
 */
const JOBS = {
  'daily-post': postDailyQuestions,
  'close-questions': closeQuestions,
  'weekly-digest': postWeeklyDigests,
  'digest-charts': uploadDigestCharts,
  reminders: sendReminders,
  housekeeping: keepTablesSmall,
} satisfies Record<string, Job>;

export type JobName = keyof typeof JOBS;
export const JOB_NAMES = Object.keys(JOBS) as readonly JobName[];

/**
 * Within one process's tick, a job that starts only once the other job's run of that same tick has
 * finished (when the other is still busy from an earlier tick, it starts at once):
 * - reminders leave out the questions claimed as today's question of the day, but only once the
 *   claim exists; started alongside the daily post, a reminder could hand out the very question the
 *   post is claiming that minute.
 * - a digest's chart follows its text: started after the digests of the minute are out, the charts
 *   they owe go up in the same tick rather than the next.
 */
export const RUNS_AFTER: Partial<Record<JobName, JobName>> = {
  reminders: 'daily-post',
  'digest-charts': 'weekly-digest',
};

export interface JobReport {
  job: JobName;
  at: Date;
  outcomes: JobOutcome[];
}

/** Runs one job for the instant `ctx.at` and logs what it did. */
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
