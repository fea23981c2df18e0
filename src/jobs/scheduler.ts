import { createTask, type ScheduledTask } from 'node-cron';
import { fixedClock } from '../clock.js';
import type { Database } from '../db/client.js';
import type { Platform } from '../db/schema.js';
import type { Logger } from '../logger.js';
import type { ChatPlatform } from '../quiz/port.js';
import type { Quiz } from '../quiz/quiz.js';
import { JOB_NAMES, type JobName, type JobReport, runJob } from './jobs.js';
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

/** Runs one job as if it were `at`: what `aif-quiz run-job` and every tick do. */
export function runJobAt(deps: SchedulerDeps, name: JobName, at: Date): Promise<JobReport> {
  const run = runJob(name, {
    at,
    db: deps.db,
    quiz: deps.quizAt(fixedClock(at)),
    platforms: deps.platforms,
    queue: deps.queue ?? defaultSendQueue(),
    logger: deps.logger,
    defaultTimezone: deps.defaultTimezone,
  });
  deps.observe?.(name, run);
  return run;
}

/**
 * A tick every minute; each job decides what is due at that instant in each channel's or person's
 * own timezone. Ticks never overlap in one process, and database claims keep replicas from
 * repeating each other's work.
 */
export function createScheduler(deps: SchedulerDeps) {
  const queue = deps.queue ?? defaultSendQueue();
  let task: ScheduledTask | undefined;
  // The tick under way, so that stopping waits for the sends it has started rather than cutting them.
  let running: Promise<JobReport[]> | undefined;
  let stopping = false;

  async function tick(at: Date): Promise<JobReport[]> {
    const reports: JobReport[] = [];
    for (const name of JOB_NAMES) {
      // Once stopping, the job under way finishes; the next tick, on whichever replica, does the rest.
      if (stopping) break;
      try {
        reports.push(await runJobAt({ ...deps, queue }, name, at));
      } catch (error) {
        deps.logger.error({ err: error, job: name, at }, 'scheduled job crashed; the next tick tries again');
      }
    }
    return reports;
  }

  return {
    tick,
    start() {
      task = createTask(
        '* * * * *',
        (context) => {
          const current = tick(context.date).finally(() => {
            if (running === current) running = undefined;
          });
          running = current;
          return current;
        },
        {
          name: 'aif-quiz-tick',
          noOverlap: true,
        },
      );
      void task.start();
      deps.logger.info('scheduler started: a tick every minute');
    },
    /** Stops ticking, then waits for a tick under way to finish. */
    async stop() {
      stopping = true;
      await task?.stop();
      await task?.destroy();
      await running;
    },
    /** True while a tick is under way. */
    isTicking: () => running !== undefined,
  };
}
