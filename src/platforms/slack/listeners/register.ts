import type { App } from '@slack/bolt';
import { createActionDispatcher } from '../action-dispatcher.js';
import { registerAppHome } from './app-home.js';
import { registerCommand } from './command.js';
import { registerConfidence } from './confidence.js';
import { registerDailyAnswers } from './daily-answers.js';
import type { ListenerDeps } from './deps.js';
import { registerDigestPractice } from './digest-practice.js';
import { registerMock } from './mock.js';
import { registerPracticeAnswers } from './practice-answers.js';
import { registerReportQuestion } from './report-question.js';
import { registerUninstall } from './uninstall.js';

/**
 * Registers every listener of the Slack app. A new command or button goes in its own module here,
 * registered below; buttons register into the one action dispatcher rather than with `app.action`.
 */
export function registerListeners(app: App, deps: ListenerDeps): void {
  registerCommand(app, deps);
  const actions = createActionDispatcher(app, deps.log);
  registerDailyAnswers(actions, deps);
  registerPracticeAnswers(actions, deps);
  registerDigestPractice(actions, deps);
  registerConfidence(actions, deps);
  registerMock(actions, deps);
  registerAppHome(app, actions, deps);
  registerReportQuestion(app, actions, deps);
  registerUninstall(app, deps);
}
