import { App, ExpressReceiver } from '@slack/bolt';
import express from 'express';
import type { Database } from '../../db/client.js';
import { createBadRequests } from '../../http/bad-requests.js';
import type { Logger } from '../../logger.js';
import { createAnsweredCountRefresher } from '../../quiz/answered-count.js';
import type { Quiz } from '../../quiz/quiz.js';
import type { SecretBox } from '../../secret-box.js';
import { createDeliveriesRepository } from '../deliveries.repository.js';
import { createAnswerFlow } from '../shared/answer-flow.js';
import { boltLogger } from './bolt-logger.js';
import { eventDedupe } from './dedupe.js';
import { createSlackErrorSink, installErrorSink } from './error-sink.js';
import { slackFetch } from './http.js';
import { createInstallationStore } from './installation-store.js';
import { registerListeners } from './listeners/register.js';
import { createReplayCheck } from './replays.js';
import { createSlackRequestGuard } from './request-guard.js';
import { createSlackPlatform, type EnabledSlackConfig, type SlackPlatform } from './slack-platform.js';

/** Scopes the app asks for; the manifest (slack-manifest.yml) lists the same. */
export const SLACK_SCOPES = [
  'commands',
  'chat:write',
  'chat:write.public',
  'files:write',
  'im:write',
  'users:read',
  'channels:read',
  'groups:read',
];

/** chat.update is Tier 3 (about 50 a minute): refresh a question's answered count at most this often. */
const COUNT_UPDATE_INTERVAL_MS = 5_000;

export interface SlackApp {
  /** Express routes for /slack/events, /slack/install and /slack/oauth_redirect (HTTP modes). */
  router?: express.Router;
  platform: SlackPlatform;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createSlackApp(deps: {
  config: EnabledSlackConfig;
  quiz: Quiz;
  db: Database;
  logger: Logger;
  adminUserIds: string[];
  /** Encrypts the installations of OAuth workspaces at rest. */
  secretBox: SecretBox;
  /** How many processes serve this bot (WEB_CONCURRENCY); they share the platform's rate limits. */
  processes?: number;
}): SlackApp {
  const { config, quiz, logger } = deps;
  const log = logger.child({ platform: 'slack' });
  const installations = createInstallationStore(deps.db, deps.secretBox);
  const clientOptions = { fetch: slackFetch, ...(config.apiUrl ? { slackApiUrl: config.apiUrl } : {}) };
  const slackLogger = boltLogger(log);

  const tokenFor = async (teamId: string): Promise<string> => {
    if (config.mode === 'single-workspace') return config.botToken;
    const installation = await installations.fetchInstallation({
      teamId,
      isEnterpriseInstall: false,
      enterpriseId: undefined,
    });
    const token = installation.bot?.token;
    if (!token) throw new Error(`the Slack installation for ${teamId} has no bot token`);
    return token;
  };
  const platform = createSlackPlatform({ config, tokenFor, logger: slackLogger });

  const socketMode = Boolean(config.appToken);
  const oauth =
    config.mode === 'oauth'
      ? {
          clientId: config.clientId,
          clientSecret: config.clientSecret,
          stateSecret: config.stateSecret,
          scopes: SLACK_SCOPES,
          installationStore: installations,
          installerOptions: {
            directInstall: true,
            installPath: '/slack/install',
            redirectUriPath: '/slack/oauth_redirect',
            clientOptions,
            ...(config.apiUrl
              ? { authorizationUrl: new URL('../oauth/v2/authorize', config.apiUrl).toString() }
              : {}),
          },
        }
      : {};

  const router = socketMode ? undefined : express.Router();
  // Registered before the receiver's own /slack/events route, which it takes the place of: the guard
  // verifies and parses each request once and hands it to the receiver's handler, instead of Bolt
  // reading, verifying and parsing it a second time on the click path.
  router?.post(
    '/slack/events',
    createSlackRequestGuard({
      signingSecret: config.signingSecret,
      badRequests: createBadRequests({ logger: log }),
      dispatch: (req, res) => (receiver as ExpressReceiver).requestHandler(req, res),
    }),
  );
  const receiver = router
    ? new ExpressReceiver({
        signingSecret: config.signingSecret,
        endpoints: '/slack/events',
        // Each listener acknowledges when it should: a command at once, an answer once it is stored.
        // Slack allows 3 seconds; work that may take longer happens after the acknowledgement.
        processBeforeResponse: false,
        router,
        // The signature identifies one signed request: a replay of it carries the same one.
        customPropertiesExtractor: (req) => ({ requestSignature: req.headers['x-slack-signature'] }),
        logger: slackLogger,
        ...oauth,
      })
    : undefined;

  const app = new App({
    // In Socket Mode the websocket client takes its Web API settings from installerOptions.
    ...(receiver
      ? { receiver }
      : { socketMode: true, appToken: config.appToken, installerOptions: { clientOptions }, ...oauth }),
    ...(config.mode === 'single-workspace' ? { token: config.botToken } : {}),
    ...(receiver ? {} : { signingSecret: config.signingSecret || 'unused-in-socket-mode' }),
    clientOptions,
    logger: slackLogger,
    extendedErrorHandler: true,
    // No conversation state is kept between events; Bolt's default store costs an Error per request.
    convoStore: false,
  });

  const deliveries = createDeliveriesRepository(deps.db);
  app.use(eventDedupe({ deliveries, log }));

  const counts = createAnsweredCountRefresher({
    quiz,
    platform,
    intervalMs: COUNT_UPDATE_INTERVAL_MS,
    // chat.update is Tier 3: about 50 a minute per workspace, so at most one every 1.5 s across its questions.
    // Each of the service's processes keeps its own budget: together they stay within the limit.
    perWorkspaceIntervalMs: 1_500 * (deps.processes ?? 1),
    onError: (error, postId) => log.warn({ err: error, postId }, 'could not refresh the answered count'),
  });
  const reportError = createSlackErrorSink(log);

  registerListeners(app, {
    quiz,
    platform,
    log,
    answers: createAnswerFlow({ quiz, counts, log }),
    reportError,
    installations,
    adminUserIds: deps.adminUserIds,
    // A signed request stays valid for five minutes, so whoever copies one could send it again; a
    // request that changes something is remembered (in the database, for every process) and a second
    // delivery does nothing. Clicks on answers need no such memory: the first answer is the one that counts.
    isReplay: createReplayCheck({ deliveries, log }),
  });
  installErrorSink(app, reportError);

  return {
    ...(router ? { router } : {}),
    platform,
    async start() {
      if (socketMode) await app.start();
    },
    async stop() {
      await counts.stop();
      if (socketMode) await app.stop();
    },
  };
}
