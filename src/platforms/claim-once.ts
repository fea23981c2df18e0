import type { Logger } from '../logger.js';
import type { Claim, createDeliveriesRepository } from './deliveries.repository.js';

/**
 * Runs the handling of a delivery the platform may send more than once (a Slack event, a Teams
 * activity). It is marked handled only once `work` succeeded, so a copy of one that failed, or whose
 * process died, runs again; a copy of one that worked, or of one still running, is skipped. Returns
 * the claim, for the caller to log a skipped copy in its own words.
 *
 * @example await claimOnce({ deliveries, key: `slack:${eventId}`, log, work: next })
 */
export async function claimOnce(options: {
  deliveries: ReturnType<typeof createDeliveriesRepository>;
  key: string;
  log: Logger;
  work: () => Promise<void>;
}): Promise<Claim> {
  const { deliveries, key, log } = options;
  const claim = await deliveries.claim(key);
  if (claim !== 'claimed') return claim;
  try {
    await options.work();
  } catch (error) {
    await deliveries
      .release(key)
      .catch((releaseError: unknown) => log.warn({ err: releaseError, key }, 'could not release a delivery'));
    throw error;
  }
  await deliveries.markHandled(key);
  return claim;
}
