import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import type { Logger } from '../../logger.js';
import { claimOnce } from '../claim-once.js';
import type { createDeliveriesRepository } from '../deliveries.repository.js';

/**
 * Slack redelivers an event whose acknowledgement it did not see in time (X-Slack-Retry-Num). An
 * event is marked handled only once its handling worked, so a copy of one that failed (or whose
 * process died) is handled again, and a copy of one that worked is not. Requests that are no
 * event (commands, clicks) pass straight through.
 */
export function eventDedupe(options: {
  deliveries: ReturnType<typeof createDeliveriesRepository>;
  log: Logger;
}): Middleware<AnyMiddlewareArgs> {
  const { deliveries, log } = options;
  return async ({ body, next }) => {
    const eventId = (body as { event_id?: string }).event_id;
    if (!eventId) return next();
    const claim = await claimOnce({ deliveries, key: `slack:${eventId}`, log, work: next });
    if (claim !== 'claimed')
      log.debug({ eventId, claim }, 'ignoring a copy of an event handled or being handled');
  };
}
