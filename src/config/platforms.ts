import type { Env } from './env-schema.js';
import type { ConfigProblem } from './settings.js';

export type SlackConfig =
  | { mode: 'off' }
  | {
      mode: 'single-workspace';
      signingSecret: string;
      botToken: string;
      appToken?: string;
      apiUrl?: string;
    }
  | {
      mode: 'oauth';
      signingSecret: string;
      clientId: string;
      clientSecret: string;
      stateSecret: string;
      appToken?: string;
      apiUrl?: string;
    };

export type TeamsConfig =
  | { mode: 'off' }
  | { mode: 'emulator' }
  | {
      mode: 'authenticated';
      appId: string;
      appPassword?: string;
      appType: 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI';
      tenantId?: string;
    };

/** Which Slack mode the settings ask for; what is missing or contradictory goes to `problems`. */
export function resolveSlack(e: Env, problems: ConfigProblem[]): SlackConfig {
  const oauthParts = {
    SLACK_CLIENT_ID: e.SLACK_CLIENT_ID,
    SLACK_CLIENT_SECRET: e.SLACK_CLIENT_SECRET,
    SLACK_STATE_SECRET: e.SLACK_STATE_SECRET,
  };
  const oauthGiven = Object.values(oauthParts).some(Boolean);
  const anySlack = oauthGiven || e.SLACK_BOT_TOKEN || e.SLACK_SIGNING_SECRET || e.SLACK_APP_TOKEN;
  if (!anySlack) return { mode: 'off' };

  const extras = {
    ...(e.SLACK_APP_TOKEN ? { appToken: e.SLACK_APP_TOKEN } : {}),
    ...(e.SLACK_API_URL ? { apiUrl: e.SLACK_API_URL } : {}),
  };
  // Socket Mode receives events over a websocket opened with the app token, so no request is signed.
  const needsSigningSecret = !e.SLACK_APP_TOKEN;
  if (needsSigningSecret && !e.SLACK_SIGNING_SECRET) {
    problems.push({
      variable: 'SLACK_SIGNING_SECRET',
      message: 'is required when Slack is configured (or set SLACK_APP_TOKEN for Socket Mode)',
    });
  }
  if (e.SLACK_BOT_TOKEN && oauthGiven) {
    problems.push({
      variable: 'SLACK_BOT_TOKEN',
      message: 'cannot be combined with SLACK_CLIENT_ID/SECRET: choose one workspace (token) or many (OAuth)',
    });
    return { mode: 'off' };
  }
  if (oauthGiven) {
    for (const [name, value] of Object.entries(oauthParts)) {
      if (!value)
        problems.push({ variable: name, message: 'is required for multi-workspace install (OAuth)' });
    }
    return {
      mode: 'oauth',
      signingSecret: e.SLACK_SIGNING_SECRET ?? '',
      clientId: e.SLACK_CLIENT_ID ?? '',
      clientSecret: e.SLACK_CLIENT_SECRET ?? '',
      stateSecret: e.SLACK_STATE_SECRET ?? '',
      ...extras,
    };
  }
  if (!e.SLACK_BOT_TOKEN) {
    problems.push({
      variable: 'SLACK_BOT_TOKEN',
      message:
        'is required with the other Slack settings (or set SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET)',
    });
    return { mode: 'off' };
  }
  return {
    mode: 'single-workspace',
    signingSecret: e.SLACK_SIGNING_SECRET ?? '',
    botToken: e.SLACK_BOT_TOKEN,
    ...extras,
  };
}

/** Which Teams mode the settings ask for; what is missing or contradictory goes to `problems`. */
export function resolveTeams(e: Env, problems: ConfigProblem[]): TeamsConfig {
  if (e.TEAMS_EMULATOR) {
    if (e.NODE_ENV === 'production') {
      problems.push({
        variable: 'TEAMS_EMULATOR',
        message: 'must not be true when NODE_ENV=production: it turns authentication off',
      });
    }
    if (e.MICROSOFT_APP_ID) {
      problems.push({
        variable: 'TEAMS_EMULATOR',
        message: 'cannot be combined with MICROSOFT_APP_ID: unset one of them',
      });
    }
    return { mode: 'emulator' };
  }
  const anyTeams =
    e.MICROSOFT_APP_ID || e.MICROSOFT_APP_PASSWORD || e.MICROSOFT_APP_TENANT_ID || e.MICROSOFT_APP_TYPE;
  if (!anyTeams) return { mode: 'off' };
  if (!e.MICROSOFT_APP_ID) {
    problems.push({
      variable: 'MICROSOFT_APP_ID',
      message: 'is required with the other MICROSOFT_APP_ settings',
    });
    return { mode: 'off' };
  }
  const appType = e.MICROSOFT_APP_TYPE ?? 'MultiTenant';
  if (appType !== 'UserAssignedMSI' && !e.MICROSOFT_APP_PASSWORD) {
    problems.push({ variable: 'MICROSOFT_APP_PASSWORD', message: `is required for a ${appType} app` });
  }
  if (appType !== 'MultiTenant' && !e.MICROSOFT_APP_TENANT_ID) {
    problems.push({ variable: 'MICROSOFT_APP_TENANT_ID', message: `is required for a ${appType} app` });
  }
  return {
    mode: 'authenticated',
    appId: e.MICROSOFT_APP_ID,
    appType,
    ...(e.MICROSOFT_APP_PASSWORD ? { appPassword: e.MICROSOFT_APP_PASSWORD } : {}),
    ...(e.MICROSOFT_APP_TENANT_ID ? { tenantId: e.MICROSOFT_APP_TENANT_ID } : {}),
  };
}
