import type express from 'express';
import type { Database } from '../../db/client.js';
import type { Logger } from '../../logger.js';
import { createAnsweredCountRefresher } from '../../quiz/answered-count.js';
import type { ChatPlatform } from '../../quiz/port.js';
import type { Quiz } from '../../quiz/quiz.js';
import { createDeliveriesRepository } from '../deliveries.repository.js';
import { createAnswerFlow } from '../shared/answer-flow.js';
import { createAdapter, type EnabledTeamsConfig } from './adapter.js';
import { createConversationsRepository } from './conversations.repository.js';
import { createTurnHandler } from './handlers/turn.js';
import { createMessagesRouter } from './route.js';
import { createTeamsPlatform } from './teams-platform.js';
import { createTurnErrorSink } from './turn-error.js';

export type { EnabledTeamsConfig } from './adapter.js';

/** Teams throttles per conversation: refresh a card's answered count at most this often. */
const COUNT_UPDATE_INTERVAL_MS = 5_000;

export interface TeamsApp {
  router: express.Router;
  platform: ChatPlatform;
  stop(): Promise<void>;
}

/**
 * The Teams side of the bot, put together: the adapter, the platform the jobs post through, the
 * activity handlers (./handlers/) behind one handled-once turn, and the one error sink.
 */
export function createTeamsApp(deps: {
  config: EnabledTeamsConfig;
  quiz: Quiz;
  db: Database;
  logger: Logger;
  adminUserIds: string[];
  /** How many processes serve this bot (WEB_CONCURRENCY); they share the platform's rate limits. */
  processes?: number;
}): TeamsApp {
  const { config, quiz } = deps;
  const log = deps.logger.child({ platform: 'teams' });
  const conversations = createConversationsRepository(deps.db);
  const adapter = createAdapter(config);
  const platform = createTeamsPlatform({
    adapter,
    appId: config.mode === 'authenticated' ? config.appId : '',
    conversations,
    log,
  });

  const counts = createAnsweredCountRefresher({
    quiz,
    platform,
    intervalMs: COUNT_UPDATE_INTERVAL_MS,
    // Each of the service's processes keeps its own budget: together they stay within the limit.
    perWorkspaceIntervalMs: 1_000 * (deps.processes ?? 1),
    onError: (error, postId) => log.warn({ err: error, postId }, 'could not refresh the answered count'),
  });

  const onTurn = createTurnHandler({
    quiz,
    platform,
    log,
    answers: createAnswerFlow({ quiz, counts, log }),
    conversations,
    deliveries: createDeliveriesRepository(deps.db),
    adminUserIds: deps.adminUserIds,
  });
  adapter.onTurnError = createTurnErrorSink({ log, platform });

  return {
    router: createMessagesRouter({ adapter, authenticated: config.mode === 'authenticated', log, onTurn }),
    platform,
    async stop() {
      await counts.stop();
    },
  };
}
