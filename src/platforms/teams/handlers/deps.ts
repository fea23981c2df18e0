import type { Logger } from '../../../logger.js';
import type { Quiz } from '../../../quiz/quiz.js';
import type { createDeliveriesRepository } from '../../deliveries.repository.js';
import type { AnswerFlow } from '../../shared/answer-flow.js';
import type { createConversationsRepository } from '../conversations.repository.js';
import type { TeamsPlatform } from '../teams-platform.js';

/** What every activity handler of the Teams app is given by the composition root. */
export interface HandlerDeps {
  quiz: Quiz;
  platform: TeamsPlatform;
  log: Logger;
  answers: AnswerFlow;
  conversations: ReturnType<typeof createConversationsRepository>;
  deliveries: ReturnType<typeof createDeliveriesRepository>;
  adminUserIds: string[];
}
