import type { Database } from '../db/client.js';
import type { Platform } from '../db/schema.js';
import type { Logger } from '../logger.js';
import type { ChatPlatform } from '../quiz/port.js';
import type { Quiz } from '../quiz/quiz.js';
import type { SendQueue } from './send-queue.js';

/**
 * What every job is given. A job does the work due at `at` and nothing else: it never reads a clock,
 * so the scheduler (or `aif-quiz run-job --at`) alone decides when that is.
 */
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
  /**
   * Aborts when the process is stopping: a long run (the digest's chart uploads) starts nothing
   * further and stops waiting for a platform's pace, leaving the rest to a later tick.
   */
  signal?: AbortSignal;
}

export interface JobOutcome {
  target: string;
  outcome: 'posted' | 'revealed' | 'sent' | 'pruned' | 'skipped' | 'failed';
  reason?: string;
}

/** One job: what is due at `ctx.at`, done once across replicas, with one outcome per target. */
export type Job = (ctx: JobContext) => Promise<JobOutcome[]>;

export const DEFAULT_CATCH_UP_MS = 3 * 3600_000;

export function notConfigured(platform: Platform): string {
  return platform === 'local'
    ? 'local is not configured: the terminal channel runs only while no chat platform is (type "unsubscribe" in "aif-quiz local" to stop it)'
    : `${platform} is not configured in this process`;
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
