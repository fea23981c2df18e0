import diagnostics from 'node:diagnostics_channel';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Logger } from './logger.js';

/**
 * How long nothing may be in flight before the process counts as drained. A click is acknowledged
 * before its feedback is posted, and a refused response_url post is retried after a short pause:
 * both leave a moment with nothing open although the work is not done.
 */
const QUIET_MS = 500;

interface OutboundRequest {
  origin: string;
  path: string;
  method: string;
}

/**
 * Counts what this process is doing for someone: HTTP requests it is answering, and HTTP calls it
 * has made and not yet had an answer to (every Slack send goes through undici, which reports each
 * call on a diagnostics channel). Watching the transport covers every path that sends, including
 * work that carries on after a request was acknowledged, without each one registering itself.
 * Teams needs no such watching: botbuilder sends through its own HTTP client, but every Teams send
 * happens inside the turn of the activity, and the Bot Connector's request stays open until the
 * turn is done; what the scheduler sends is finished by stopping it first.
 */
export function createInFlightTracker() {
  const inbound = new Set<IncomingMessage>();
  const outbound = new Set<object>();
  const described = new WeakMap<object, OutboundRequest>();
  let lastActivity = Date.now();

  const onCreate = (message: unknown) => {
    const { request } = message as { request: OutboundRequest };
    outbound.add(request);
    described.set(request, { origin: request.origin, path: request.path, method: request.method });
    lastActivity = Date.now();
  };
  const onDone = (message: unknown) => {
    const { request } = message as { request: object };
    if (outbound.delete(request)) lastActivity = Date.now();
  };
  diagnostics.subscribe('undici:request:create', onCreate);
  diagnostics.subscribe('undici:request:trailers', onDone);
  diagnostics.subscribe('undici:request:error', onDone);

  return {
    /** Counts the requests a server answers, from arrival until the response is finished or dropped. */
    watch(server: Server) {
      server.on('request', (req: IncomingMessage, res: ServerResponse) => {
        inbound.add(req);
        lastActivity = Date.now();
        res.once('close', () => {
          inbound.delete(req);
          lastActivity = Date.now();
        });
      });
    },
    busy: () => inbound.size > 0 || outbound.size > 0,
    /** True once nothing has been in flight for a short while. */
    drained: () => inbound.size === 0 && outbound.size === 0 && Date.now() - lastActivity >= QUIET_MS,
    /**
     * What is still open, for the log line of a shutdown cut short. A response_url carries a token in
     * its path, so outbound calls show their host, plus the method for Web API calls.
     */
    pending(): { requests: string[]; sends: string[] } {
      return {
        requests: [...inbound].map((req) => `${req.method} ${(req.url ?? '').split('?')[0]}`),
        sends: [...outbound].map((request) => {
          const call = described.get(request) as OutboundRequest;
          const apiMethod = /^\/api\/([\w.]+)/.exec(call.path)?.[1];
          return `${call.method} ${call.origin}${apiMethod ? ` ${apiMethod}` : ''}`;
        }),
      };
    },
    stop() {
      diagnostics.unsubscribe('undici:request:create', onCreate);
      diagnostics.unsubscribe('undici:request:trailers', onDone);
      diagnostics.unsubscribe('undici:request:error', onDone);
    },
  };
}

export type InFlightTracker = ReturnType<typeof createInFlightTracker>;

/**
 * Stops the process gracefully within a deadline: `beginDrain` (readiness turns 503, the scheduler
 * stops), then waits until nothing is in flight, then `finish` (close the server, the platforms and
 * the database). Requests that still arrive while draining are served: the load balancer may take a
 * few seconds to notice. Resolves with the exit code: 0 when everything finished in time, 1 when the
 * deadline cut work short, said in one log line with what was still open.
 */
export async function drainThenStop(options: {
  tracker: InFlightTracker;
  timeoutMs: number;
  logger: Logger;
  beginDrain(): Promise<void>;
  finish(): Promise<void>;
  /** What else is still under way (a scheduled job's run), for the log line. */
  alsoPending?(): string[];
}): Promise<number> {
  const { tracker, logger } = options;
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'deadline'>((resolve) => {
    timer = setTimeout(() => resolve('deadline'), options.timeoutMs);
  });
  const orderly = (async () => {
    await options.beginDrain();
    while (!tracker.drained()) await new Promise((resolve) => setTimeout(resolve, 50));
    await options.finish();
    return 'done' as const;
  })();
  const outcome = await Promise.race([orderly, deadline]);
  clearTimeout(timer);
  if (outcome === 'done') {
    logger.info({ ms: Date.now() - started }, 'shutdown complete: nothing was cut short');
    return 0;
  }
  logger.error(
    { timeoutMs: options.timeoutMs, ...tracker.pending(), other: options.alsoPending?.() ?? [] },
    'shutdown deadline passed (SHUTDOWN_TIMEOUT_MS): exiting with work still in flight, cut short',
  );
  return 1;
}
