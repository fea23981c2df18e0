import type { Logger } from '../../../logger.js';
import type { Quiz } from '../../../quiz/quiz.js';
import type { AnswerFlow } from '../../shared/answer-flow.js';
import type { SlackErrorSink } from '../error-sink.js';
import type { createInstallationStore } from '../installation-store.js';
import type { SlackPlatform } from '../slack-platform.js';

/** What every listener module of the Slack app is given by the composition root. */
export interface ListenerDeps {
  quiz: Quiz;
  platform: SlackPlatform;
  log: Logger;
  answers: AnswerFlow;
  reportError: SlackErrorSink;
  installations: ReturnType<typeof createInstallationStore>;
  adminUserIds: string[];
  /** True (and logged) when this signed request was handled before: a replay must change nothing. */
  isReplay(context: Record<string, unknown>): Promise<boolean>;
}
