import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { type BadRequests, type Refusal, refusalOfBodyError } from '../../http/bad-requests.js';

/** Activities the bot acts on; the Bot Connector sends others (typing, reactions…) that it ignores. */
const HANDLED_ACTIVITY_TYPES = new Set(['message', 'conversationUpdate', 'installationUpdate']);

const id = z.string().min(1).max(512);
const account = z.looseObject({ id, name: z.string().max(1000).nullish() });

/**
 * The parts of an activity the bot and botbuilder rely on: without a type, a conversation, a sender,
 * a recipient or a service URL to answer at, botbuilder throws deep inside a turn.
 */
const activitySchema = z.looseObject({
  type: z.string().min(1).max(64),
  id: z.string().max(512).optional(),
  channelId: z.string().min(1).max(64),
  serviceUrl: z.url({ protocol: /^https?$/ }).max(1000),
  conversation: z.looseObject({ id, conversationType: z.string().max(64).optional() }),
  from: account,
  recipient: account,
  text: z.string().max(40_000).nullish(),
});

const MALFORMED: Refusal = {
  status: 400,
  code: 'teams.malformed',
  message: 'The request is not a Bot Framework activity this bot can handle.',
};
/** A bearer token botbuilder did not accept (expired, forged, for another bot). */
export const TOKEN_REFUSED: Refusal = {
  status: 401,
  code: 'teams.unauthenticated',
  message: 'The request carries no valid Bot Framework token.',
};
const UNAUTHENTICATED: Refusal = {
  status: 401,
  code: 'teams.unauthenticated',
  message: 'The request carries no Bot Framework token.',
};

/**
 * Checks each request to /api/messages before botbuilder does. With authentication on, a request
 * without a bearer token gets 401 before its body is even read (botbuilder then validates the token
 * of the others); a body that is not JSON, too large, or not an activity gets 400 or 413 with a
 * message that tells nothing about the inside. Activity types the bot does not act on are
 * acknowledged with 200 and stored nowhere.
 */
export function createActivityGuard(options: { authenticated: boolean; badRequests: BadRequests }) {
  const readJson = express.json({ limit: '1mb', type: () => true });
  const refuse = options.badRequests.refuse;
  return (req: Request, res: Response, next: NextFunction) => {
    if (options.authenticated && !/^Bearer \S+$/i.test(req.headers.authorization ?? ''))
      return refuse(req, res, UNAUTHENTICATED);
    readJson(req, res, (error?: unknown) => {
      if (error) {
        const refusal = refusalOfBodyError(error);
        return refusal ? refuse(req, res, refusal) : next(error);
      }
      const parsed = activitySchema.safeParse(req.body);
      if (!parsed.success) {
        const [issue] = parsed.error.issues;
        return refuse(req, res, MALFORMED, {
          problem: issue ? `${issue.path.join('.') || '(body)'}: ${issue.code}` : 'invalid',
        });
      }
      if (!HANDLED_ACTIVITY_TYPES.has(parsed.data.type)) {
        res.status(200).end();
        return;
      }
      next();
    });
  };
}
