import { channel } from 'node:diagnostics_channel';

/**
 * A platform answered 429 ("too many requests"). Published where the answer is seen (inside the
 * platform clients' own retry loops, which wait it out without telling their callers), and counted
 * by the metrics of whichever service in this process has them on. A channel rather than an
 * injected counter keeps those transport modules free of any metrics wiring.
 */
const rateLimited = channel('aif-quiz:rate-limited');

export interface RateLimitedSignal {
  platform: 'slack' | 'teams';
}

/** Says that `platform` answered 429; costs nothing when nobody listens. */
export function signalRateLimited(platform: RateLimitedSignal['platform']): void {
  if (rateLimited.hasSubscribers) rateLimited.publish({ platform } satisfies RateLimitedSignal);
}

/** Calls `listener` on every 429 signalled; returns the function that stops it. */
export function onRateLimited(listener: (signal: RateLimitedSignal) => void): () => void {
  const handler = (message: unknown) => listener(message as RateLimitedSignal);
  rateLimited.subscribe(handler);
  return () => rateLimited.unsubscribe(handler);
}
