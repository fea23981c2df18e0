import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';

function problemsOf(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the configuration to be refused');
}

describe('configuration', () => {
  it('runs on the embedded database with nothing configured', () => {
    const config = loadConfig({});
    expect(config.database).toEqual({ kind: 'pglite', dataDir: expect.stringMatching(/\.data$/) });
    expect(config.http.port).toBe(3000);
    expect(config.defaultTimezone).toBe('UTC');
    expect(config.scheduler).toBe(true);
    expect(config.slack).toEqual({ mode: 'off' });
    expect(config.teams).toEqual({ mode: 'off' });
    expect(config.log.format).toBe('json');
  });

  it('uses a Postgres server when DATABASE_URL is set', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://bot@db:5432/quiz',
      PORT: '8080',
      SCHEDULER: 'off',
    });
    expect(config.database).toEqual({
      kind: 'postgres',
      url: 'postgres://bot@db:5432/quiz',
      limits: {
        poolSize: 10,
        connectTimeoutMs: 5000,
        statementTimeoutMs: 5000,
        lockTimeoutMs: 2000,
        idleInTransactionTimeoutMs: 30000,
      },
    });
    expect(config.http.port).toBe(8080);
    expect(config.scheduler).toBe(false);
  });

  it('bounds how long the database may keep a person waiting, and takes other limits when given', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://bot@db:5432/quiz',
      DATABASE_POOL_SIZE: '4',
      DATABASE_CONNECT_TIMEOUT_MS: '2000',
      DATABASE_STATEMENT_TIMEOUT_MS: '0',
      DATABASE_LOCK_TIMEOUT_MS: '1500',
      DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: '60000',
    });
    expect(config.database).toMatchObject({
      limits: {
        poolSize: 4,
        connectTimeoutMs: 2000,
        statementTimeoutMs: 0,
        lockTimeoutMs: 1500,
        idleInTransactionTimeoutMs: 60000,
      },
    });
    const message = problemsOf({ DATABASE_STATEMENT_TIMEOUT_MS: '10s', DATABASE_POOL_SIZE: '0' });
    expect(message).toContain('DATABASE_STATEMENT_TIMEOUT_MS "10s" must be a whole number of milliseconds');
    expect(message).toContain('DATABASE_POOL_SIZE "0" must be a whole number of connections from 1');
    expect(message).toContain('Longest a single database statement may run');
  });

  it('takes the spaced repetition settings, with FSRS defaults, and refuses a retention out of range', () => {
    expect(loadConfig({}).learning).toEqual({ retention: 0.9, maximumIntervalDays: 60 });
    expect(loadConfig({ LEARNING_RETENTION: '0.85', LEARNING_MAX_INTERVAL_DAYS: '30' }).learning).toEqual({
      retention: 0.85,
      maximumIntervalDays: 30,
    });
    expect(() => loadConfig({ LEARNING_RETENTION: '0.99' })).toThrow(/LEARNING_RETENTION.*0\.70 to 0\.97/s);
    expect(() => loadConfig({ LEARNING_MAX_INTERVAL_DAYS: '0' })).toThrow(/LEARNING_MAX_INTERVAL_DAYS/);
  });

  it('names the variable, the problem and its purpose for a port that is not a number', () => {
    const message = problemsOf({ PORT: 'abc' });
    expect(message).toContain('PORT "abc" must be a whole number from 0 to 65535');
    expect(message).toContain('Port of the HTTP server');
  });

  it('refuses a Slack bot token without the signing secret', () => {
    expect(problemsOf({ SLACK_BOT_TOKEN: 'xoxb-1-2-3' })).toContain(
      'SLACK_SIGNING_SECRET is required when Slack is configured',
    );
  });

  it('refuses a bot token combined with OAuth settings', () => {
    const message = problemsOf({
      SLACK_SIGNING_SECRET: 's',
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_CLIENT_ID: 'id',
      SLACK_CLIENT_SECRET: 'secret',
      SLACK_STATE_SECRET: 'state',
    });
    expect(message).toContain('SLACK_BOT_TOKEN cannot be combined with SLACK_CLIENT_ID');
  });

  it('lists every missing OAuth setting', () => {
    const message = problemsOf({ SLACK_SIGNING_SECRET: 's', SLACK_CLIENT_ID: 'id' });
    expect(message).toContain('SLACK_CLIENT_SECRET is required for multi-workspace install');
    expect(message).toContain('SLACK_STATE_SECRET is required for multi-workspace install');
  });

  it('accepts one workspace, many workspaces, and Socket Mode', () => {
    expect(loadConfig({ SLACK_SIGNING_SECRET: 's', SLACK_BOT_TOKEN: 'xoxb-1' }).slack.mode).toBe(
      'single-workspace',
    );
    expect(
      loadConfig({
        SLACK_SIGNING_SECRET: 's',
        SLACK_CLIENT_ID: 'i',
        SLACK_CLIENT_SECRET: 'c',
        SLACK_STATE_SECRET: 't',
      }).slack.mode,
    ).toBe('oauth');
    expect(loadConfig({ SLACK_APP_TOKEN: 'xapp-1', SLACK_BOT_TOKEN: 'xoxb-1' }).slack).toMatchObject({
      mode: 'single-workspace',
      appToken: 'xapp-1',
    });
  });

  it('checks token shapes', () => {
    expect(problemsOf({ SLACK_SIGNING_SECRET: 's', SLACK_BOT_TOKEN: 'xoxp-user' })).toContain(
      'must be a bot token starting with xoxb-',
    );
  });

  it('suggests the right name for a misspelt setting', () => {
    expect(problemsOf({ SLACK_SIGNNG_SECRET: 'x' })).toContain(
      'SLACK_SIGNNG_SECRET is not a setting of this bot (did you mean SLACK_SIGNING_SECRET?)',
    );
  });

  it('refuses the Teams emulator mode in production', () => {
    expect(problemsOf({ NODE_ENV: 'production', TEAMS_EMULATOR: 'true' })).toContain(
      'TEAMS_EMULATOR must not be true when NODE_ENV=production',
    );
    expect(loadConfig({ TEAMS_EMULATOR: 'true' }).teams).toEqual({ mode: 'emulator' });
  });

  it('requires what each Microsoft app type needs', () => {
    expect(problemsOf({ MICROSOFT_APP_ID: 'app' })).toContain(
      'MICROSOFT_APP_PASSWORD is required for a MultiTenant app',
    );
    expect(
      problemsOf({
        MICROSOFT_APP_ID: 'app',
        MICROSOFT_APP_PASSWORD: 'p',
        MICROSOFT_APP_TYPE: 'SingleTenant',
      }),
    ).toContain('MICROSOFT_APP_TENANT_ID is required for a SingleTenant app');
    expect(loadConfig({ MICROSOFT_APP_ID: 'app', MICROSOFT_APP_PASSWORD: 'p' }).teams).toMatchObject({
      mode: 'authenticated',
      appType: 'MultiTenant',
    });
  });

  it('validates timezones, URLs, levels and switches', () => {
    const message = problemsOf({
      DEFAULT_TIMEZONE: 'Mars/Olympus',
      DATABASE_URL: 'mysql://x',
      LOG_LEVEL: 'loud',
      SCHEDULER: 'maybe',
      TEAMS_EMULATOR: 'perhaps',
    });
    expect(message).toContain('DEFAULT_TIMEZONE "Mars/Olympus" is not an IANA timezone');
    expect(message).toContain('DATABASE_URL must be a postgres:// or postgresql:// URL');
    expect(message).toContain('LOG_LEVEL "loud" must be one of');
    expect(message).toContain('SCHEDULER "maybe" must be on or off');
    expect(message).toContain('TEAMS_EMULATOR "perhaps" must be true or false');
  });

  it('reads admin ids as a list', () => {
    expect(loadConfig({ ADMIN_USER_IDS: ' U1, U2 ,,U3' }).adminUserIds).toEqual(['U1', 'U2', 'U3']);
  });

  it('a wrong secret setting is named with its problem, but its value is never repeated', () => {
    const message = problemsOf({
      SLACK_SIGNING_SECRET: 'signing-secret-value-1234',
      SLACK_BOT_TOKEN: 'xoxp-a-user-token-by-mistake-5678',
      SLACK_APP_TOKEN: 'xoxb-not-an-app-token-9012',
      DATABASE_URL: 'mysql://admin:database-password-3456@db/quiz',
      ENCRYPTION_KEY: 'too-short-key-7890',
      ENCRYPTION_KEYS: 'old-key-not-base64-2468',
    });
    expect(message).toContain('SLACK_BOT_TOKEN must be a bot token starting with xoxb-');
    expect(message).toContain('SLACK_APP_TOKEN must be an app-level token starting with xapp-');
    expect(message).toContain('DATABASE_URL must be a postgres:// or postgresql:// URL');
    expect(message).toContain('ENCRYPTION_KEY must be 32 bytes in base64');
    expect(message).toContain('ENCRYPTION_KEYS must list keys of 32 bytes in base64');
    for (const secret of ['xoxp-a-user', '5678', 'xoxb-not', 'database-password', 'too-short', 'old-key'])
      expect(message).not.toContain(secret);
  });

  it('in production, Slack OAuth without ENCRYPTION_KEY refuses to start and says what the key is for', () => {
    const oauth = {
      NODE_ENV: 'production',
      SLACK_SIGNING_SECRET: 's',
      SLACK_CLIENT_ID: 'id',
      SLACK_CLIENT_SECRET: 'secret',
      SLACK_STATE_SECRET: 'state',
    };
    const message = problemsOf(oauth);
    expect(message).toContain('ENCRYPTION_KEY is required when NODE_ENV=production with Slack OAuth');
    expect(message).toContain('encrypts the installation tokens');
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(loadConfig({ ...oauth, ENCRYPTION_KEY: key }).encryption).toEqual({ key, previousKeys: [] });
    // Development may run without a key (installations then stay in clear, with a warning).
    expect(loadConfig({ ...oauth, NODE_ENV: 'development' }).encryption.key).toBeUndefined();
  });

  it('hands every configured secret to the logger to mask, the database password included', () => {
    const key = Buffer.alloc(32, 1).toString('base64');
    const old = Buffer.alloc(32, 2).toString('base64');
    const config = loadConfig({
      DATABASE_URL: 'postgres://bot:p%40ssword-in-url@db:5432/quiz',
      SLACK_SIGNING_SECRET: 'signing-secret',
      SLACK_BOT_TOKEN: 'xoxb-configured-token',
      ENCRYPTION_KEY: key,
      ENCRYPTION_KEYS: old,
    });
    expect(config.log.secrets.sort()).toEqual(
      ['p@ssword-in-url', 'signing-secret', 'xoxb-configured-token', key, old].sort(),
    );
  });

  it('reads workspace-scoped admin ids as they are written', () => {
    expect(loadConfig({ ADMIN_USER_IDS: 'T1:U1, U2' }).adminUserIds).toEqual(['T1:U1', 'U2']);
  });
});
