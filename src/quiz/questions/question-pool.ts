import type { PoolQuestion, QuestionsRepository } from './questions.repository.js';

/**
 * The drawable questions, kept for `ttlMs`. The pool changes only when the bank is synced; a
 * morning fan-out asks for it once per channel, so keep it for a minute instead of reading the
 * whole bank thousands of times.
 */
export function createQuestionPool(options: { repository: QuestionsRepository; ttlMs?: number }) {
  const ttlMs = options.ttlMs ?? 60_000;
  let pool: { rows: PoolQuestion[]; until: number } | undefined;
  return {
    async get(): Promise<PoolQuestion[]> {
      const now = Date.now();
      if (!pool || pool.until < now)
        pool = { rows: await options.repository.activePool(), until: now + ttlMs };
      return pool.rows;
    },
    /** Forgets the kept pool, so the next draw reads it again (a question was just paused). */
    invalidate(): void {
      pool = undefined;
    },
  };
}

export type QuestionPool = ReturnType<typeof createQuestionPool>;
