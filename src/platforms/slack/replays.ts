import type { Logger } from '../../logger.js';
import type { createDeliveriesRepository } from '../deliveries.repository.js';

/** A signed Slack request is accepted for five minutes; remember each a little longer than that. */
const REMEMBER_MS = 10 * 60_000;

/**
 * Remembers Slack requests already handled, in the database so that every process of the service
 * sees the same memory. `claim` says whether this is the first time; keys older than the replay
 * window are forgotten now and then, so only the last few minutes of them are kept.
 *
 * A request is remembered as soon as it is claimed, not once its handling worked as a platform
 * delivery is: Slack never sends a command or a button click again, so a second copy can only be a
 * replay, and a person who wants to try again sends a new, differently signed request.
 */
function createReplayGuard(options: {
  deliveries: ReturnType<typeof createDeliveriesRepository>;
  now?: () => number;
  prefix?: string;
}) {
  const { deliveries } = options;
  const now = options.now ?? Date.now;
  const prefix = options.prefix ?? 'slack-request:';
  let nextSweep = 0;

  return {
    /** True the first time `id` is claimed within the window, false for every later claim. */
    async claim(id: string): Promise<boolean> {
      const at = now();
      if (at >= nextSweep) {
        nextSweep = at + REMEMBER_MS;
        await deliveries.forgetOlder(prefix, REMEMBER_MS);
      }
      return deliveries.once(`${prefix}${id}`);
    },
  };
}

/**
 * Whether a request that changes something was handled before: its signature (which the receiver
 * puts in the context) was claimed already. A replay is logged and should then be ignored.
 */
export function createReplayCheck(options: {
  deliveries: ReturnType<typeof createDeliveriesRepository>;
  log: Logger;
}): (context: Record<string, unknown>) => Promise<boolean> {
  const replays = createReplayGuard({ deliveries: options.deliveries });
  return async (context) => {
    const signature = context.requestSignature;
    if (typeof signature !== 'string') return false;
    if (await replays.claim(signature)) return false;
    options.log.warn('ignored a replayed Slack request: the same signed request was already handled');
    return true;
  };
}
