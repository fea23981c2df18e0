import type { App } from '@slack/bolt';
import { createActionDispatcher } from '../action-dispatcher.js';
import { registerAppHome } from './app-home.js';
import { registerCommand } from './command.js';
import { registerDailyAnswers } from './daily-answers.js';
import type { ListenerDeps } from './deps.js';
import { registerMock } from './mock.js';
import { registerPracticeAnswers } from './practice-answers.js';
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
  registerMock(actions, deps);
  registerAppHome(app, actions, deps);
  registerUninstall(app, deps);
}
