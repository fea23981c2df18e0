import { createDeliveriesRepository } from '../platforms/deliveries.repository.js';
import { createDigestChartsRepository } from './digest-charts.repository.js';
import { errorText, type JobContext, type JobOutcome } from './job.js';
import { createJobsRepository } from './jobs.repository.js';

const DAY_MS = 86_400_000;

/** Rows deleted per statement: each delete is short, so it holds its locks briefly and never nears the statement timeout. */
const BATCH = 5_000;

/**
 * Finished claims of periodic work are kept 90 days. Every claim of these jobs names the period it
 * is for: `reminder:<user>:<local date or ISO week>`, `weekly-digest:<channel>:<ISO week>` (sent only
 * within hours of its time) and this job's own `housekeeping:<UTC date>`. No tick claims a period
 * that long past again, so forgetting the claim cannot make its work happen a second time. Claims of
 * any other job are left alone until checked the same way.
 */
const CLAIMS_KEPT_MS = 90 * DAY_MS;
const PRUNED_JOBS = ['reminders', 'weekly-digest', 'housekeeping'] as const;

/**
 * Handled platform deliveries (`slack:<event id>`, `teams:<conversation>:<activity id>`) are kept 7
 * days: Slack and the Bot Connector redeliver within minutes. Other keys in the same table (the
 * Teams greeting, which is once and for all; Slack's replay guard, which forgets its own) stay.
 */
const DELIVERIES_KEPT_MS = 7 * DAY_MS;
const DELIVERY_PREFIXES = ['slack:', 'teams:'] as const;

/** Settled digest charts (sent, refused, dropped) are kept 30 days; an owed one is never touched. */
const CHARTS_KEPT_MS = 30 * DAY_MS;

/** One bookkeeping table's clean-up: forgets one batch and says how many rows went. */
type Sweep = { target: string; what: string; forget: (limit: number) => Promise<number> };

/**
 * Once a UTC day (the first tick of the day claims it), deletes the bookkeeping rows that only
 * grow and are no longer needed: old finished job claims, old handled platform deliveries and old
 * settled digest charts, a batch at a time. Once `ctx.signal` aborts, no further batch starts and
 * the day's claim is given back, so a later tick finishes the work.
 */
export async function keepTablesSmall(ctx: JobContext): Promise<JobOutcome[]> {
  const jobs = createJobsRepository(ctx.db);
  const key = `housekeeping:${ctx.at.toISOString().slice(0, 10)}`;
  if (!(await jobs.claimRun(key, 'housekeeping', ctx.at))) return [];
  const deliveries = createDeliveriesRepository(ctx.db);
  const charts = createDigestChartsRepository(ctx.db);
  const before = (ms: number) => new Date(ctx.at.getTime() - ms);
  const sweeps: Sweep[] = [
    {
      target: 'job_runs',
      what: 'finished claims older than 90 days',
      forget: (limit) => jobs.forgetFinishedBefore(PRUNED_JOBS, before(CLAIMS_KEPT_MS), limit),
    },
    ...DELIVERY_PREFIXES.map((prefix) => ({
      target: `processed_events:${prefix}`,
      what: 'handled deliveries older than 7 days',
      forget: (limit: number) => deliveries.forgetHandledBefore(prefix, before(DELIVERIES_KEPT_MS), limit),
    })),
    {
      target: 'digest_charts',
      what: 'settled charts older than 30 days',
      forget: (limit) => charts.forgetSettledBefore(before(CHARTS_KEPT_MS), limit),
    },
  ];

  const outcomes: JobOutcome[] = [];
  for (const { target, what, forget } of sweeps) {
    let deleted = 0;
    try {
      // A batch smaller than BATCH was the last one.
      for (let gone = BATCH; gone === BATCH && !ctx.signal?.aborted; ) {
        gone = await forget(BATCH);
        deleted += gone;
      }
      outcomes.push({ target, outcome: 'pruned', reason: `${deleted} ${what}` });
    } catch (error) {
      outcomes.push({ target, outcome: 'failed', reason: `${deleted} deleted, then: ${errorText(error)}` });
    }
  }
  // Deleting twice is harmless: a sweep cut short or failed is finished by a later tick.
  if (ctx.signal?.aborted || outcomes.some((o) => o.outcome === 'failed')) await jobs.releaseRun(key);
  else
    await jobs.finishRun(key, 'done', ctx.at, Object.fromEntries(outcomes.map((o) => [o.target, o.reason])));
  return outcomes;
}
