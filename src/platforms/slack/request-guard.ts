import { parse as parseQuery } from 'node:querystring';
import { verifySlackRequest } from '@slack/bolt';
import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { BadRequests, Refusal } from '../../http/bad-requests.js';
import { refusalOfBodyError } from '../../http/bad-requests.js';

/** Slack signs each request with its time; Slack's rule is five minutes either way. */
export const MAX_CLOCK_SKEW_SECONDS = 5 * 60;
/** Slack's own payloads stay far below this; anything larger is not from Slack. */
const BODY_LIMIT = '1mb';

const id = z.string().min(1).max(64);
const text = (max: number) => z.string().max(max);

/**
 * The requests this bot serves, as Slack sends them: the command, clicks on the bot's buttons, the
 * events it subscribes to, and Slack's own checks. Anything else is answered 400 before Bolt sees
 * it: Bolt assumes Slack's shapes and fails with a 500 (or waits 3 s for an acknowledgement that
 * never comes) on others.
 */
const slackRequestSchema = z.union([
  z.looseObject({ type: z.literal('url_verification'), challenge: text(200) }),
  z.looseObject({ ssl_check: text(10) }),
  z.looseObject({
    command: z.literal('/aif-quiz'),
    text: text(4000).optional(),
    team_id: id,
    user_id: id,
    channel_id: id,
    response_url: z.url({ protocol: /^https?$/ }).max(500),
  }),
  z.looseObject({
    type: z.literal('block_actions'),
    team: z.looseObject({ id }),
    user: z.looseObject({ id }),
    actions: z
      .array(z.looseObject({ action_id: text(255).min(1), type: text(64), value: text(2000).optional() }))
      .min(1)
      .max(10),
    response_url: z
      .url({ protocol: /^https?$/ })
      .max(500)
      .optional(),
    channel: z.looseObject({ id }).optional(),
  }),
  z.looseObject({
    type: z.literal('event_callback'),
    team_id: id,
    event_id: id,
    event: z.union([
      z.looseObject({ type: z.literal('app_home_opened'), user: id, tab: text(32) }),
      z.looseObject({
        type: z.literal('tokens_revoked'),
        tokens: z.looseObject({ bot: z.array(text(64)).max(100).optional() }),
      }),
      z.looseObject({ type: z.literal('app_uninstalled') }),
    ]),
  }),
]);

const UNSIGNED: Refusal = {
  status: 401,
  code: 'slack.unverified',
  message: 'The request is not signed by Slack, or its signature is too old or from the future.',
};
const MALFORMED: Refusal = {
  status: 400,
  code: 'slack.malformed',
  message: 'The request is not one Slack sends to this app.',
};

/**
 * Checks each request to /slack/events before Bolt does: the signature, the timestamp within five
 * minutes in either direction (Bolt refuses only old ones, so a request signed for a future time
 * could be replayed until then), and a shape this app serves. Refused requests get 401 (not
 * verified) or 400 (verified, but not a request this app serves) and change nothing. What it read is
 * left on the request for Bolt, which checks the signature again.
 */
export function createSlackRequestGuard(options: {
  signingSecret: string;
  badRequests: BadRequests;
  /** Milliseconds since the epoch; injectable for tests. */
  now?: () => number;
}): express.RequestHandler {
  const now = options.now ?? Date.now;
  const readBody = express.raw({ type: () => true, limit: BODY_LIMIT });
  const refuse = options.badRequests.refuse;

  return (req: Request, res: Response, next: NextFunction) => {
    readBody(req, res, (error?: unknown) => {
      if (error) {
        const refusal = refusalOfBodyError(error);
        if (refusal) return refuse(req, res, refusal);
        return next(error);
      }
      const raw = Buffer.isBuffer(req.body) ? (req.body as Buffer) : Buffer.alloc(0);
      const body = raw.toString('utf8');
      const unverified = verificationProblem(req, body, options.signingSecret, now());
      if (unverified) return refuse(req, res, UNSIGNED, { problem: unverified });
      const parsed = slackRequestSchema.safeParse(parseBody(body, req.headers['content-type']));
      if (!parsed.success) return refuse(req, res, MALFORMED, { problem: describeIssue(parsed.error) });
      // Bolt reads the body from here instead of the (already consumed) stream.
      (req as Request & { rawBody?: Buffer }).rawBody = raw;
      req.body = undefined;
      next();
    });
  };
}

function verificationProblem(
  req: Request,
  body: string,
  signingSecret: string,
  nowMs: number,
): string | undefined {
  const signature = req.headers['x-slack-signature'];
  const stamp = req.headers['x-slack-request-timestamp'];
  if (typeof signature !== 'string' || typeof stamp !== 'string') return 'missing signature headers';
  if (!/^\d{1,12}$/.test(stamp)) return 'timestamp is not a number';
  const skew = Number(stamp) - Math.floor(nowMs / 1000);
  if (skew > MAX_CLOCK_SKEW_SECONDS) return 'timestamp is in the future';
  if (skew < -MAX_CLOCK_SKEW_SECONDS) return 'timestamp is too old';
  try {
    verifySlackRequest({
      signingSecret,
      body,
      headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': Number(stamp) },
      nowMilliseconds: nowMs,
    });
  } catch {
    return 'signature mismatch';
  }
  return undefined;
}

/** Reads the body as Bolt will: a form (with the interaction JSON in `payload`) or JSON. */
function parseBody(body: string, contentType: string | undefined): unknown {
  try {
    if (contentType === 'application/x-www-form-urlencoded') {
      const form = parseQuery(body);
      return typeof form.payload === 'string' ? JSON.parse(form.payload) : form;
    }
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** The first problem, by path, for the log line; never the value itself. */
function describeIssue(error: z.ZodError): string {
  const [issue] = error.issues;
  return issue ? `${issue.path.join('.') || '(body)'}: ${issue.code}` : 'invalid';
}
