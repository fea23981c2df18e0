import { parse as parseQuery } from 'node:querystring';
import { verifySlackRequest } from '@slack/bolt';
import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { BadRequests, Refusal } from '../../http/bad-requests.js';
import { refusalOfBodyError } from '../../http/bad-requests.js';

/** Slack signs each request with its time; Slack's rule is five minutes either way. */
const MAX_CLOCK_SKEW_SECONDS = 5 * 60;
/** Slack's own payloads stay far below this; anything larger is not from Slack. */
const BODY_LIMIT = '1mb';

const id = z.string().min(1).max(64);
const text = (max: number) => z.string().max(max);

/** Slack's response URLs; a URL parser costs more than the rest of the check, and the shape is enough. */
const responseUrl = z
  .string()
  .max(500)
  .regex(/^https?:\/\/[^\s/]+\/\S*$/);

/**
 * The requests this bot serves, as Slack sends them: the command, clicks on the bot's buttons, its
 * modals' submissions, the events it subscribes to, and Slack's own checks. Anything else is
 * answered 400 before Bolt sees it: Bolt assumes Slack's shapes and fails with a 500 (or waits 3 s
 * for an acknowledgement that never comes) on others. Picked by the request's kind rather than
 * tried one by one: a click is the request that comes by the thousand.
 */
const SHAPES = {
  url_verification: z.looseObject({ type: z.literal('url_verification'), challenge: text(200) }),
  ssl_check: z.looseObject({ ssl_check: text(10) }),
  command: z.looseObject({
    command: z.literal('/aif-quiz'),
    text: text(4000).optional(),
    team_id: id,
    user_id: id,
    channel_id: id,
    response_url: responseUrl,
  }),
  block_actions: z.looseObject({
    type: z.literal('block_actions'),
    team: z.looseObject({ id }),
    user: z.looseObject({ id }),
    actions: z
      .array(z.looseObject({ action_id: text(255).min(1), type: text(64), value: text(2000).optional() }))
      .min(1)
      .max(10),
    response_url: responseUrl.optional(),
    channel: z.looseObject({ id }).optional(),
  }),
  view_submission: z.looseObject({
    type: z.literal('view_submission'),
    team: z.looseObject({ id }),
    user: z.looseObject({ id }),
    view: z.looseObject({
      callback_id: text(255),
      private_metadata: text(3000).optional(),
      state: z.looseObject({ values: z.record(z.string(), z.unknown()) }).optional(),
    }),
  }),
  event_callback: z.looseObject({
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
} as const;

type SlackRequest =
  | { kind: 'url_verification'; challenge: string }
  | { kind: 'ssl_check' }
  | {
      kind: 'command' | 'block_actions' | 'view_submission' | 'event_callback';
      body: Record<string, unknown>;
    };

/** The request's kind and its checked body, or undefined when it is none this app serves. */
function readRequest(raw: unknown): SlackRequest | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const body = raw as Record<string, unknown>;
  const kind =
    typeof body.type === 'string' && body.type in SHAPES
      ? (body.type as keyof typeof SHAPES)
      : 'command' in body
        ? 'command'
        : 'ssl_check' in body
          ? 'ssl_check'
          : undefined;
  if (!kind) return undefined;
  const parsed = SHAPES[kind].safeParse(body);
  if (!parsed.success) return undefined;
  if (kind === 'url_verification') return { kind, challenge: String(body.challenge) };
  if (kind === 'ssl_check') return { kind };
  return { kind, body: parsed.data as Record<string, unknown> };
}

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
 * The /slack/events route: checks each request before Bolt sees it, then hands it to `dispatch`
 * (Bolt's receiver) already parsed. Checked: the signature (with Bolt's own check), the timestamp
 * within five minutes in either direction (Bolt refuses only old ones, so a request signed for a
 * future time could be replayed until then), and a shape this app serves. Refused requests get 401
 * (not verified) or 400 (verified, but not a request this app serves) and change nothing. Slack's
 * URL and SSL checks are answered here, as Bolt's receiver would.
 */
export function createSlackRequestGuard(options: {
  signingSecret: string;
  badRequests: BadRequests;
  /** Bolt's request handler, given the verified request with its parsed body. */
  dispatch(req: Request, res: Response): Promise<void>;
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
      const request = readRequest(parseBody(body, req.headers['content-type']));
      if (!request) return refuse(req, res, MALFORMED);
      if (request.kind === 'url_verification') return void res.json({ challenge: request.challenge });
      if (request.kind === 'ssl_check') return void res.send();
      req.body = request.body;
      options.dispatch(req, res).catch(next);
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
