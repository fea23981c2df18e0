import { createTask, type ScheduledTask } from 'node-cron';
import { fixedClock } from '../clock.js';
import type { Database } from '../db/client.js';
import type { Platform } from '../db/schema.js';
import type { Logger } from '../logger.js';
import type { ChatPlatform } from '../quiz/port.js';
import type { Quiz } from '../quiz/quiz.js';
import { JOB_NAMES, type JobName, type JobReport, RUNS_AFTER, runJob } from './jobs.js';
import { createSendQueue, type SendQueue } from './send-queue.js';

export interface SchedulerDeps {
  db: Database;
  /** Builds a quiz whose clock stands at the given instant. */
  quizAt(clock: ReturnType<typeof fixedClock>): Quiz;
  platforms: Partial<Record<Platform, ChatPlatform>>;
  logger: Logger;
  defaultTimezone: string;
  queue?: SendQueue;
  /** Told of every run as it starts (the service's metrics time it until it settles). */
  observe?: (job: JobName, run: Promise<JobReport>) => void;
}

/**
 * Slack asks for about one message per second per channel; Teams limits sends per conversation and
 * per tenant. So: one send at a time per channel with a second between, at most 20 a second per
 * workspace or tenant, and at most 16 in flight overall.
 */
export function defaultSendQueue(): SendQueue {
  return createSendQueue({ concurrency: 16, perKeyIntervalMs: 1100, perGroupIntervalMs: 50 });
}

/**
 * Runs one job as if it were `at`: what `aif-quiz run-job` and every tick do. `signal` tells a long
 * run that the process is stopping.
 */
export function runJobAt(
  deps: SchedulerDeps,
  name: JobName,
  at: Date,
  signal?: AbortSignal,
): Promise<JobReport> {
  const run = runJob(name, {
    at,
    db: deps.db,
    quiz: deps.quizAt(fixedClock(at)),
    platforms: deps.platforms,
    queue: deps.queue ?? defaultSendQueue(),
    logger: deps.logger,
    defaultTimezone: deps.defaultTimezone,
    ...(signal ? { signal } : {}),
  });
  deps.observe?.(name, run);
  return run;
}

/** One job's lane: its run under way, if any, and how many ticks that run has made skip it. */
interface Lane {
  run?: Promise<JobReport | undefined>;
  startedAt?: Date;
  skipped: number;
}

/**
 * A tick every minute; each job decides what is due at that instant in each channel's or person's
 * own timezone. Each job runs in a lane of its own: a tick starts every job whose previous run has
 * finished, so a long run (the charts of hundreds of digests) delays only that job's next
 * run, never the question of the day or the reveals. Runs of one job never overlap in one process,
 * and database claims keep replicas from repeating each other's work.
 */
export function createScheduler(deps: SchedulerDeps) {
  const queue = deps.queue ?? defaultSendQueue();
  let task: ScheduledTask | undefined;
  const lanes = new Map<JobName, Lane>(JOB_NAMES.map((name) => [name, { skipped: 0 }]));
  let stopping = false;
  // Aborted by stop(): runs under way stop between units of work rather than finish a long pass.
  const stopSignal = new AbortController();

  /**
   * Starts a run in `lane`, or once `after` (another job's run of the same tick) has settled: the
   * lane counts as busy meanwhile, so a later tick does not start the job a second time.
   */
  function startRun(
    name: JobName,
    lane: Lane,
    at: Date,
    after?: Promise<unknown>,
  ): Promise<JobReport | undefined> {
    // Inside an async function, so that even a throw while setting the run up lands in the catch.
    const run = (async () => {
      if (after) {
        await after;
        // Stopped while it waited: it never began, and the next tick, on any replica, runs it.
        if (stopping) return undefined;
      }
      return runJobAt({ ...deps, queue }, name, at, stopSignal.signal);
    })()
      .catch((error: unknown) => {
        deps.logger.error({ err: error, job: name, at }, 'scheduled job crashed; the next tick tries again');
        return undefined;
      })
      .finally(() => {
        if (lane.skipped > 0)
          deps.logger.info(
            { job: name, startedAt: lane.startedAt, skippedTicks: lane.skipped },
            'scheduled job finished; its next tick runs it again',
          );
        lane.run = undefined;
        lane.startedAt = undefined;
        lane.skipped = 0;
      });
    lane.run = run;
    lane.startedAt = at;
    return run;
  }

  /**
   * Starts, as of `at`, every job whose lane is free, and resolves with the reports of the runs it
   * started once they have all finished. A job still running from an earlier tick is left alone. A
   * job that runs after another (RUNS_AFTER) starts once that job's run of this tick has finished.
   */
  async function tick(at: Date): Promise<JobReport[]> {
    const started = new Map<JobName, Promise<JobReport | undefined>>();
    for (const name of JOB_NAMES) {
      // Once stopping, nothing new starts; the next tick, on whichever replica, does the rest.
      if (stopping) break;
      const lane = lanes.get(name) as Lane;
      if (lane.run) {
        // Said once per long run rather than every minute it lasts.
        if (lane.skipped++ === 0)
          deps.logger.info(
            { job: name, startedAt: lane.startedAt, at },
            'scheduled job still running; its next runs wait until it finishes',
          );
        continue;
      }
      const first = RUNS_AFTER[name];
      started.set(name, startRun(name, lane, at, first && started.get(first)));
    }
    const reports = await Promise.all(started.values());
    return reports.filter((report): report is JobReport => report !== undefined);
  }

  /** The jobs with a run under way. */
  const running = (): JobName[] => JOB_NAMES.filter((name) => lanes.get(name)?.run !== undefined);

  return {
    tick,
    start() {
      // Not node-cron's noOverlap: that would hold every job back while one runs long. Each lane
      // keeps its own job from overlapping instead.
      task = createTask(
        '* * * * *',
        (context) => {
          void tick(context.date);
        },
        { name: 'aif-quiz-tick' },
      );
      void task.start();
      deps.logger.info('scheduler started: a tick every minute, each job in its own lane');
    },
    /**
     * Stops ticking, tells the runs under way to stop between units of work (a send or upload in
     * flight is finished, nothing further starts), then waits for them to end.
     */
    async stop() {
      stopping = true;
      stopSignal.abort();
      await task?.stop();
      await task?.destroy();
      await Promise.all([...lanes.values()].map((lane) => lane.run));
    },
    /** True while any job's run is under way. */
    isTicking: () => running().length > 0,
    running,
  };
}
