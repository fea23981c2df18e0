import {
  type Activity,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type TurnContext,
} from 'botbuilder';
import type { TeamsConfig } from '../../config.js';

export type EnabledTeamsConfig = Exclude<TeamsConfig, { mode: 'off' }>;

/** The adapter, taking activities from our own route (whose failures go to the service's log). */
export class RoutedAdapter extends CloudAdapter {
  handle(authorization: string, activity: Activity, logic: (context: TurnContext) => Promise<void>) {
    return this.processActivity(authorization, activity, logic);
  }
}

/**
 * With no app id (emulator mode) the adapter accepts unauthenticated traffic; with one, every
 * request's token is validated and an unsigned request gets 401.
 */
export function createAdapter(config: EnabledTeamsConfig): RoutedAdapter {
  const auth = new ConfigurationBotFrameworkAuthentication(
    config.mode === 'authenticated'
      ? {
          MicrosoftAppId: config.appId,
          MicrosoftAppPassword: config.appPassword ?? '',
          MicrosoftAppType: config.appType,
          MicrosoftAppTenantId: config.tenantId ?? '',
        }
      : {},
  );
  return new RoutedAdapter(auth);
}
