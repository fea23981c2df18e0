import type { App } from '@slack/bolt';
import type { ListenerDeps } from './deps.js';

/** A workspace that uninstalls the app, or revokes its bot token, stops receiving questions. */
export function registerUninstall(app: App, deps: ListenerDeps): void {
  const { quiz, installations, log } = deps;

  app.event('app_uninstalled', async ({ body }) => {
    const teamId = (body as { team_id: string }).team_id;
    await installations.deleteByTeam(teamId);
    await quiz.deactivateWorkspace('slack', teamId);
    log.info({ teamId }, 'the app was uninstalled; its channels stop receiving questions');
  });

  app.event('tokens_revoked', async ({ event, body }) => {
    const teamId = (body as { team_id: string }).team_id;
    if ((event.tokens.bot ?? []).length > 0) {
      await installations.deleteByTeam(teamId);
      await quiz.deactivateWorkspace('slack', teamId);
    }
  });
}
