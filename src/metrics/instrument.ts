import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Platform } from '../db/schema.js';
import type { JobName, JobReport } from '../jobs/jobs.js';
import type { SendQueue } from '../jobs/send-queue.js';
import type { ChatPlatform } from '../quiz/port.js';
import type { Quiz } from '../quiz/quiz.js';
import type { SendOutcome, ServiceMetrics } from './metrics.js';

/*
 * The metrics are taken at the composition root, around the objects the service hands out (the
 * quiz, the chat platforms, the send queue, the HTTP app), so that the domain, the platforms and
 * the jobs carry no metrics code of their own.
 */

/** A quiz that counts the answers it stores. Every other method is the quiz's own. */
export function countAnswers(quiz: Quiz, metrics: ServiceMetrics): Quiz {
  return {
    ...quiz,
    async recordAnswer(actor, ...rest) {
      const result = await quiz.recordAnswer(actor, ...rest);
      // A late answer is stored, as practice; "already answered" stores nothing.
      if (result.outcome !== 'already_answered')
        metrics.answerRecorded(actor.platform, result.outcome === 'recorded' ? 'daily' : 'practice');
      return result;
    },
    async answerPractice(actor, input) {
      const result = await quiz.answerPractice(actor, input);
      if (result.outcome === 'recorded') metrics.answerRecorded(actor.platform, 'practice');
      return result;
    },
  };
}

const SEND_OPERATIONS = [
  'postQuestion',
  'updateQuestion',
  'postReveal',
  'postDigest',
  'postDigestChart',
  'sendReminder',
  'sendFeedback',
  'sendPractice',
] as const satisfies ReadonlyArray<keyof ChatPlatform>;

/** The platforms, each counting its sends by operation and outcome. */
export function countSends(
  platforms: Partial<Record<Platform, ChatPlatform>>,
  metrics: ServiceMetrics,
): Partial<Record<Platform, ChatPlatform>> {
  const counted: Partial<Record<Platform, ChatPlatform>> = {};
  for (const [name, platform] of Object.entries(platforms) as Array<[Platform, ChatPlatform]>) {
    // What the platform says of itself is kept as is: the digest job reads digestChart.
    const wrapped: Record<string, unknown> = {
      platform: platform.platform,
      ...(platform.digestChart ? { digestChart: platform.digestChart } : {}),
    };
    for (const operation of SEND_OPERATIONS) {
      // An operation the platform does not offer (a digest chart sent apart) stays absent.
      if (!platform[operation]) continue;
      const send = platform[operation].bind(platform) as (...args: unknown[]) => Promise<unknown>;
      wrapped[operation] = async (...args: unknown[]) => {
        try {
          const result = await send(...args);
          metrics.sent(name, operation, 'ok');
          return result;
        } catch (error) {
          metrics.sent(name, operation, sendOutcomeOf(error));
          throw error;
        }
      };
    }
    counted[name] = wrapped as unknown as ChatPlatform;
  }
  return counted;
}

/** A 429 as each client reports it: Teams' status code, Slack's error code, the send queue's error. */
function sendOutcomeOf(error: unknown): SendOutcome {
  const e = error as { statusCode?: number; code?: string; retryAfterMs?: number; data?: { error?: string } };
  const limited =
    e?.statusCode === 429 ||
    e?.code === 'slack_webapi_rate_limited_error' ||
    e?.data?.error === 'ratelimited' ||
    typeof e?.retryAfterMs === 'number';
  return limited ? 'rate_limited' : 'error';
}

/** A send queue that knows how many sends it holds (waiting for their turn, or under way). */
export function countQueued(queue: SendQueue): SendQueue & { depth(): number } {
  let depth = 0;
  return {
    run(key, task, group) {
      depth++;
      return queue.run(key, task, group).finally(() => depth--);
    },
    stats: () => queue.stats(),
    depth: () => depth,
  };
}

/** What the scheduler calls with every run it starts: the run is timed until it settles. */
export function jobRunObserver(metrics: ServiceMetrics) {
  return (job: JobName, run: Promise<JobReport>): void => {
    const began = performance.now();
    const seconds = () => (performance.now() - began) / 1000;
    run.then(
      (report) => metrics.jobRan(job, report, seconds()),
      () => metrics.jobRan(job, undefined, seconds()),
    );
  };
}

/** The routes the service serves; anything else is one label, so a scan cannot grow the series. */
const ROUTES = [
  '/slack/events',
  '/slack/install',
  '/slack/oauth_redirect',
  '/api/messages',
  '/healthz',
  '/readyz',
  '/metrics',
];
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Times every HTTP request from its arrival to the end of its answer. */
export function httpMetricsMiddleware(metrics: ServiceMetrics): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const began = performance.now();
    res.once('finish', () => {
      const route = ROUTES.find((r) => req.path === r) ?? 'other';
      const method = METHODS.has(req.method) ? req.method : 'other';
      metrics.observeRequest({ route, method, status: res.statusCode }, (performance.now() - began) / 1000);
    });
    next();
  };
}

/**
 * `GET /metrics` in the Prometheus text format. With a token, only a request bearing it is served
 * (401 otherwise); both sides are hashed first so the comparison takes the same time whatever the
 * length or content of the guess.
 */
export function metricsEndpoint(metrics: ServiceMetrics, token?: string): RequestHandler {
  const expected = token ? digest(token) : undefined;
  return async (req: Request, res: Response) => {
    if (expected) {
      const given = /^Bearer\s+(.+)$/i.exec(req.get('authorization') ?? '')?.[1]?.trim() ?? '';
      if (!timingSafeEqual(digest(given), expected)) {
        res
          .status(401)
          .set('WWW-Authenticate', 'Bearer realm="metrics"')
          .json({ error: 'A bearer token is required.' });
        return;
      }
    }
    res.type(metrics.contentType).send(await metrics.registry.metrics());
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
