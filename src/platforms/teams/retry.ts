import { signalRateLimited } from '../../metrics/signals.js';

/** Statuses the Bot Connector uses for "slow down" or "try again". */
const RETRYABLE = new Set([412, 429, 502, 504]);

/**
 * Retries a Bot Connector call that Teams answered with 429, 412, 502 or 504: exponential backoff
 * with jitter, honouring Retry-After when given.
 *
 * @example await withTeamsRetry(() => context.sendActivity(activity), { attempts: 4 })
 */
export async function withTeamsRetry<T>(
  send: () => Promise<T>,
  options: { attempts?: number; baseMs?: number } = {},
): Promise<T> {
  const attempts = options.attempts ?? 4;
  const baseMs = options.baseMs ?? 500;
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      if (status === 429) signalRateLimited('teams');
      if (!status || !RETRYABLE.has(status) || attempt >= attempts) throw error;
      const retryAfter = Number(
        (
          error as { response?: { headers?: { get?(name: string): string | undefined } } }
        ).response?.headers?.get?.('retry-after'),
      );
      const wait =
        Number.isFinite(retryAfter) && retryAfter > 0
          ? retryAfter * 1000
          : baseMs * 2 ** (attempt - 1) * (0.5 + Math.random());
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
