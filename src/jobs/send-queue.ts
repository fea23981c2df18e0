/** A platform answered "too many requests": wait `retryAfterMs` before sending to the same place again. */
export class RateLimitedError extends Error {
  readonly retryAfterMs: number;
  constructor(retryAfterMs: number, message = 'rate limited') {
    super(message);
    this.name = 'RateLimitedError';
    this.retryAfterMs = retryAfterMs;
  }
}

export interface SendQueue {
  /**
   * Runs `task` when `key` (a channel, a conversation) may be sent to again, its `group` (a
   * workspace, a tenant) has room, and a global slot is free.
   */
  run<T>(key: string, task: () => Promise<T>, group?: string): Promise<T>;
  stats(): { sent: number; retries: number };
}

/**
 * Paces sends the way chat platforms want them: at most `concurrency` in flight overall, one at a
 * time per key with `perKeyIntervalMs` between them, and a rate-limit answer pauses only its own key.
 */
export function createSendQueue(options: {
  concurrency: number;
  perKeyIntervalMs: number;
  /** Least time between two sends of the same group (e.g. 50 ms: at most 20 a second per tenant). */
  perGroupIntervalMs?: number;
  maxRetries?: number;
  sleep?: (ms: number) => Promise<void>;
}): SendQueue {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const maxRetries = options.maxRetries ?? 3;
  const tails = new Map<string, Promise<unknown>>();
  const lastSent = new Map<string, number>();
  let active = 0;
  const waiting: Array<() => void> = [];
  let sent = 0;
  let retries = 0;
  const groupNext = new Map<string, number>();

  /** Reserves the group's next free instant and waits for it: a simple per-group pace. */
  async function paceGroup(group: string | undefined): Promise<void> {
    const interval = options.perGroupIntervalMs ?? 0;
    if (!group || interval <= 0) return;
    const now = Date.now();
    const at = Math.max(now, groupNext.get(group) ?? 0);
    groupNext.set(group, at + interval);
    if (at > now) await sleep(at - now);
  }

  async function withSlot<T>(fn: () => Promise<T>): Promise<T> {
    if (active >= options.concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await fn();
    } finally {
      active--;
      waiting.shift()?.();
    }
  }

  async function attempt<T>(key: string, task: () => Promise<T>, group?: string): Promise<T> {
    for (let tries = 0; ; tries++) {
      const gap = (lastSent.get(key) ?? 0) + options.perKeyIntervalMs - Date.now();
      if (gap > 0) await sleep(gap);
      await paceGroup(group);
      try {
        const result = await withSlot(task);
        sent++;
        return result;
      } catch (error) {
        if (!(error instanceof RateLimitedError) || tries >= maxRetries) throw error;
        retries++;
        // Only this key waits; other channels keep going.
        await sleep(error.retryAfterMs);
      } finally {
        lastSent.set(key, Date.now());
      }
    }
  }

  return {
    run(key, task, group) {
      const previous = tails.get(key) ?? Promise.resolve();
      const next = previous.catch(() => {}).then(() => attempt(key, task, group));
      tails.set(key, next);
      void next
        .catch(() => {})
        .finally(() => {
          if (tails.get(key) === next) tails.delete(key);
        });
      return next;
    },
    stats: () => ({ sent, retries }),
  };
}
