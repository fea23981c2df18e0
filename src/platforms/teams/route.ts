import type { Activity, TurnContext } from 'botbuilder';
import express from 'express';
import { createBadRequests } from '../../http/bad-requests.js';
import type { Logger } from '../../logger.js';
import { createActivityGuard, TOKEN_REFUSED } from './activity-guard.js';
import type { RoutedAdapter } from './adapter.js';

/**
 * The Bot Connector's endpoint, POST /api/messages. botbuilder's own request handler
 * (adapter.process) writes its failures to the console, outside this service's logs and their
 * filter: the activity is handed to the adapter here instead, once the guard has read the body and
 * checked that it is an activity.
 */
export function createMessagesRouter(options: {
  adapter: RoutedAdapter;
  authenticated: boolean;
  log: Logger;
  onTurn: (context: TurnContext) => Promise<void>;
}): express.Router {
  const { adapter, log, onTurn } = options;
  const router = express.Router();
  const badRequests = createBadRequests({ logger: log });
  const guard = createActivityGuard({ authenticated: options.authenticated, badRequests });
  router.post('/api/messages', guard, async (req, res) => {
    const activity = req.body as Activity;
    for (const field of ['timestamp', 'localTimestamp', 'expiration'] as const) {
      const value = activity[field] as unknown;
      if (typeof value === 'string')
        (activity as unknown as Record<string, unknown>)[field] = new Date(value);
    }
    try {
      const invoke = await adapter.handle(req.headers.authorization ?? '', activity, onTurn);
      res.status(invoke?.status ?? 200);
      if (invoke?.body !== undefined) res.send(invoke.body);
      res.end();
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 401) {
        badRequests.refuse(req, res, TOKEN_REFUSED, {}, 'a Teams request failed authentication');
        return;
      }
      log.error({ err: error, activityId: activity.id }, 'Teams request failed');
      res.status(500).end();
    }
  });
  return router;
}
