import { closeQuestions } from './close-questions.js';
import { postDailyQuestions } from './daily-post.js';
import type { Job, JobContext, JobOutcome } from './job.js';
import { sendReminders } from './reminders.js';
import { postWeeklyDigests } from './weekly-digest.js';

export type { JobContext, JobOutcome } from './job.js';

/**
 * The jobs; every tick starts each one in a lane of its own (see scheduler.ts). A new job is a
 * module of its own in this folder that exports a `Job`, registered here (and in deploy/, where
 * each job is also a CronJob).
 */
const JOBS = {
  'daily-post': postDailyQuestions,
  'close-questions': closeQuestions,
  'weekly-digest': postWeeklyDigests,
  reminders: sendReminders,
} satisfies Record<string, Job>;

export type JobName = keyof typeof JOBS;
export const JOB_NAMES = Object.keys(JOBS) as readonly JobName[];

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
