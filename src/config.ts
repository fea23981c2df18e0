import { existsSync } from 'node:fs';
import path from 'node:path';
import { type Env, envSchema } from './config/env-schema.js';
import { resolveSlack, resolveTeams, type SlackConfig, type TeamsConfig } from './config/platforms.js';
import {
  type ConfigProblem,
  closestSetting,
  quotedValue,
  SETTINGS,
  secretValues,
} from './config/settings.js';
import { AppError } from './errors.js';

// The settings' parts live in ./config/; this module composes them and keeps the one import path.
export { editDistance } from './config/edit-distance.js';
export { DATABASE_DEFAULTS, isValidTimezone } from './config/env-schema.js';
export type { SlackConfig, TeamsConfig } from './config/platforms.js';
export { type ConfigProblem, SETTINGS, type SettingName } from './config/settings.js';

/** Limits on the connections to a Postgres server (the embedded database has one, in this process). */
export interface DatabaseLimits {
  poolSize: number;
  connectTimeoutMs: number;
  /** 0: no limit. */
  statementTimeoutMs: number;
  /** 0: no limit. */
  lockTimeoutMs: number;
  /** 0: no limit. */
  idleInTransactionTimeoutMs: number;
}

export type DatabaseConfig =
  | { kind: 'postgres'; url: string; limits?: DatabaseLimits }
  | { kind: 'pglite'; dataDir: string };

export interface Config {
  env: 'development' | 'test' | 'production';
  database: DatabaseConfig;
  http: { host: string; port: number };
  log: { level: Env['LOG_LEVEL']; format: 'json' | 'pretty'; secrets: string[] };
  questionsDir: string;
  defaultTimezone: string;
  scheduler: boolean;
  /** Spaced repetition: the retention FSRS aims at and the longest interval (LEARNING_*). */
  learning: { retention: number; maximumIntervalDays: number };
  /** Longest a graceful shutdown waits for work in flight (SHUTDOWN_TIMEOUT_MS). */
  shutdownTimeoutMs: number;
  /** GET /metrics (METRICS=on), behind a bearer token when METRICS_TOKEN is set. */
  metrics: { enabled: boolean; token?: string };
  /** Worker processes serving requests (WEB_CONCURRENCY); 1 serves from this process. */
  processes: number;
  slack: SlackConfig;
  teams: TeamsConfig;
  /** Entries of ADMIN_USER_IDS: a user id, or WORKSPACE:USER for one workspace only. */
  adminUserIds: string[];
  /** Keys for secrets stored in the database: the current one encrypts, all of them decrypt. */
  encryption: { key?: string; previousKeys: string[] };
}

/** Variable prefixes this service owns: an unknown name under one of them is almost surely a typo. */
const OWNED_PREFIXES = ['SLACK_', 'MICROSOFT_APP_', 'TEAMS_', 'AIF_QUIZ_'];

/**
 * Parses the settings once, at start-up. Throws an AppError (`config.invalid`) whose message lists
 * every problem with the variable's name, what is wrong, and what the variable is for.
 *
 * @example const config = loadConfig({ PORT: '8080' }, { isTty: true });
 */
export function loadConfig(
  env: Record<string, string | undefined>,
  options: { isTty?: boolean } = {},
): Config {
  const problems: ConfigProblem[] = [];
  for (const name of Object.keys(env)) {
    if (OWNED_PREFIXES.some((prefix) => name.startsWith(prefix)) && !(name in SETTINGS)) {
      const guess = closestSetting(name);
      problems.push({
        variable: name,
        message: `is not a setting of this bot${guess ? ` (did you mean ${guess}?)` : ''}`,
      });
    }
  }

  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const variable = String(issue.path[0] ?? '?');
      problems.push({ variable, message: `${quotedValue(variable, env[variable])}${issue.message}` });
    }
    throw configError(problems);
  }
  const e = parsed.data;

  const slack = resolveSlack(e, problems);
  const teams = resolveTeams(e, problems);
  if (e.WEB_CONCURRENCY > 1 && !e.DATABASE_URL)
    problems.push({
      variable: 'WEB_CONCURRENCY',
      message: `is ${e.WEB_CONCURRENCY}, but the embedded database can be opened by one process only: set DATABASE_URL to a Postgres server, or leave WEB_CONCURRENCY at 1`,
    });
  if (e.NODE_ENV === 'production' && slack.mode === 'oauth' && !e.ENCRYPTION_KEY)
    problems.push({
      variable: 'ENCRYPTION_KEY',
      message:
        'is required when NODE_ENV=production with Slack OAuth: it encrypts the installation tokens of every workspace in the database',
    });
  if (problems.length > 0) throw configError(problems);

  return {
    env: e.NODE_ENV,
    database: e.DATABASE_URL
      ? {
          kind: 'postgres',
          url: e.DATABASE_URL,
          limits: {
            poolSize: e.DATABASE_POOL_SIZE,
            connectTimeoutMs: e.DATABASE_CONNECT_TIMEOUT_MS,
            statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
            lockTimeoutMs: e.DATABASE_LOCK_TIMEOUT_MS,
            idleInTransactionTimeoutMs: e.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
          },
        }
      : { kind: 'pglite', dataDir: e.DATA_DIR === 'memory://' ? e.DATA_DIR : path.resolve(e.DATA_DIR) },
    http: { host: e.HOST, port: e.PORT },
    log: {
      level: e.LOG_LEVEL,
      format: e.LOG_FORMAT ?? (options.isTty ? 'pretty' : 'json'),
      secrets: secretValues(env),
    },
    questionsDir: path.resolve(e.QUESTIONS_DIR),
    defaultTimezone: e.DEFAULT_TIMEZONE,
    scheduler: e.SCHEDULER === 'on',
    learning: { retention: e.LEARNING_RETENTION, maximumIntervalDays: e.LEARNING_MAX_INTERVAL_DAYS },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    // A token alone turns nothing on: the Secret that holds it is often shared with CronJobs that serve no HTTP.
    metrics: { enabled: e.METRICS === 'on', ...(e.METRICS_TOKEN ? { token: e.METRICS_TOKEN } : {}) },
    processes: e.WEB_CONCURRENCY,
    slack,
    teams,
    adminUserIds: e.ADMIN_USER_IDS,
    encryption: {
      ...(e.ENCRYPTION_KEY ? { key: e.ENCRYPTION_KEY } : {}),
      previousKeys: e.ENCRYPTION_KEYS,
    },
  };
}

function configError(problems: ConfigProblem[]): AppError {
  const lines = problems.map(({ variable, message }) => {
    const purpose = (SETTINGS as Record<string, string>)[variable];
    return `  ${variable} ${message}.${purpose ? `\n    (${variable}: ${purpose})` : ''}`;
  });
  return new AppError('config.invalid', `The bot cannot start; fix these settings:\n${lines.join('\n')}`);
}

/** Loads `.env` from the working directory into the process environment when the file exists. */
export function loadDotEnv(file = '.env'): void {
  // process.loadEnvFile never overrides a variable that is already set: the real environment wins.
  if (existsSync(file)) process.loadEnvFile(file);
}
