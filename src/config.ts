import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { AppError } from './errors.js';

/** What each setting is for: shown next to any problem with it, and in the README table. */
export const SETTINGS = {
  NODE_ENV: 'Runtime mode: development, test or production.',
  DATABASE_URL: 'Postgres connection URL. Leave unset to use the embedded database under DATA_DIR.',
  DATA_DIR:
    'Folder of the embedded database, used when DATABASE_URL is unset (memory:// keeps it in memory).',
  DATABASE_POOL_SIZE: 'Most connections this process opens to the Postgres server.',
  DATABASE_CONNECT_TIMEOUT_MS:
    'How long a request waits for a database connection (a new one, or a free one from a busy pool) before the person is told the bot is busy.',
  DATABASE_STATEMENT_TIMEOUT_MS:
    'Longest a single database statement may run, waiting on locks included, before it is cancelled; 0 means no limit.',
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS:
    'How long a transaction may sit idle before the server ends its session and frees its locks; 0 means no limit.',
  HOST: 'Address the HTTP server binds to.',
  PORT: 'Port of the HTTP server (health checks, Slack and Teams endpoints); 0 picks a free one.',
  LOG_LEVEL: 'Least severe log level written: fatal, error, warn, info, debug, trace or silent.',
  LOG_FORMAT:
    'json (one object a line) or pretty (for reading in a terminal); default: pretty on a terminal.',
  QUESTIONS_DIR: 'Folder of the question bank (topics.yaml and the topic files).',
  DEFAULT_TIMEZONE: 'IANA timezone for channels and people that have not chosen one, such as Europe/Berlin.',
  SCHEDULER: 'on runs the cron jobs in this process; off for replicas or an external scheduler.',
  SHUTDOWN_TIMEOUT_MS:
    "On SIGTERM, how long requests and sends in flight may take to finish before the process exits anyway (with code 1); keep it below the orchestrator's grace period (30 s in Kubernetes).",
  METRICS: 'on serves Prometheus metrics at GET /metrics; off (the default) answers it 404.',
  METRICS_TOKEN:
    'With METRICS=on, GET /metrics answers only requests with the header Authorization: Bearer <this token>.',
  WEB_CONCURRENCY:
    'How many processes serve requests, one per CPU core being usual; more than 1 needs DATABASE_URL.',
  SLACK_SIGNING_SECRET: "Verifies that requests come from Slack (app settings, 'Basic Information').",
  SLACK_BOT_TOKEN: 'Bot token (xoxb-…) for a single workspace.',
  SLACK_CLIENT_ID: 'OAuth client id, to install the app in many workspaces.',
  SLACK_CLIENT_SECRET: 'OAuth client secret, to install the app in many workspaces.',
  SLACK_STATE_SECRET: 'Any long random string; protects the OAuth install flow against forgery.',
  SLACK_APP_TOKEN: 'App-level token (xapp-…) to connect over Socket Mode instead of public HTTP.',
  SLACK_API_URL: 'Base URL of the Slack Web API; change only for a proxy or a test double.',
  MICROSOFT_APP_ID: 'Microsoft app (client) id of the Azure Bot registration.',
  MICROSOFT_APP_PASSWORD: 'Client secret of that Microsoft app.',
  MICROSOFT_APP_TYPE: 'MultiTenant, SingleTenant or UserAssignedMSI, as registered in Azure.',
  MICROSOFT_APP_TENANT_ID: 'Azure tenant id; required for SingleTenant and UserAssignedMSI.',
  TEAMS_EMULATOR:
    'true accepts unauthenticated Bot Framework traffic (Bot Framework Emulator, tests); never in production.',
  ADMIN_USER_IDS:
    'Comma-separated platform user ids that may administer the bot besides workspace admins; WORKSPACE:USER (T123:U456) limits an entry to one workspace or tenant.',
  ENCRYPTION_KEY:
    'Key that encrypts Slack installation tokens at rest: 32 random bytes in base64 (openssl rand -base64 32). Required in production with Slack OAuth.',
  ENCRYPTION_KEYS:
    'Comma-separated earlier ENCRYPTION_KEY values, still accepted for reading while rows are re-encrypted with the current key.',
} as const;

export type SettingName = keyof typeof SETTINGS;

/** Settings whose values are secret: never echoed in a message, masked in every log line. */
const SECRET_SETTINGS: ReadonlySet<string> = new Set<SettingName>([
  'DATABASE_URL',
  'SLACK_SIGNING_SECRET',
  'SLACK_BOT_TOKEN',
  'SLACK_CLIENT_SECRET',
  'SLACK_STATE_SECRET',
  'SLACK_APP_TOKEN',
  'MICROSOFT_APP_PASSWORD',
  'ENCRYPTION_KEY',
  'ENCRYPTION_KEYS',
  'METRICS_TOKEN',
]);

const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off', ''], {
    error: 'must be true or false',
  })
  .optional()
  .transform((value) => value === 'true' || value === '1' || value === 'yes' || value === 'on');

/** A whole number of milliseconds (or connections) within a range, from an environment string. */
function wholeNumber(options: { default: number; min: number; max: number; unit: string }) {
  return z
    .string()
    .default(String(options.default))
    .refine(
      (value) =>
        /^\d{1,9}$/.test(value.trim()) && Number(value) >= options.min && Number(value) <= options.max,
      { error: `must be a whole number of ${options.unit} from ${options.min} to ${options.max}` },
    )
    .transform(Number);
}

/**
 * Database limits when nothing is set. A person waits a few seconds at most before hearing that the
 * bot is busy: every statement of a request is small, so one still running after 5 s is stuck
 * behind a lock or an overloaded server (migrations and the bank sync, which may run long, are
 * exempt). A transaction left idle for 30 s is a bug, and its locks must not stall everyone else.
 */
export const DATABASE_DEFAULTS = {
  poolSize: 10,
  connectTimeoutMs: 5_000,
  statementTimeoutMs: 5_000,
  idleInTransactionTimeoutMs: 30_000,
} as const;

const timezone = z.string().refine(isValidTimezone, { error: 'is not an IANA timezone (try Europe/Berlin)' });

const envSchema = z.object({
  NODE_ENV: z
    .enum(['development', 'test', 'production'], { error: 'must be development, test or production' })
    .default('development'),
  DATABASE_URL: optionalText.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\/\S+$/, { error: 'must be a postgres:// or postgresql:// URL' })
      .optional(),
  ),
  DATA_DIR: z.string().min(1).default('./.data'),
  DATABASE_POOL_SIZE: wholeNumber({
    default: DATABASE_DEFAULTS.poolSize,
    min: 1,
    max: 1000,
    unit: 'connections',
  }),
  DATABASE_CONNECT_TIMEOUT_MS: wholeNumber({
    default: DATABASE_DEFAULTS.connectTimeoutMs,
    min: 100,
    max: 600_000,
    unit: 'milliseconds',
  }),
  DATABASE_STATEMENT_TIMEOUT_MS: wholeNumber({
    default: DATABASE_DEFAULTS.statementTimeoutMs,
    min: 0,
    max: 86_400_000,
    unit: 'milliseconds',
  }),
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: wholeNumber({
    default: DATABASE_DEFAULTS.idleInTransactionTimeoutMs,
    min: 0,
    max: 86_400_000,
    unit: 'milliseconds',
  }),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: z
    .string()
    .default('3000')
    .refine((value) => /^\d{1,5}$/.test(value.trim()) && Number(value) <= 65535, {
      error: 'must be a whole number from 0 to 65535',
    })
    .transform(Number),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty'], { error: 'must be json or pretty' }).optional(),
  QUESTIONS_DIR: z.string().min(1).default('./questions'),
  DEFAULT_TIMEZONE: timezone.default('UTC'),
  SCHEDULER: z.enum(['on', 'off'], { error: 'must be on or off' }).default('on'),
  SHUTDOWN_TIMEOUT_MS: wholeNumber({ default: 25_000, min: 0, max: 3_600_000, unit: 'milliseconds' }),
  METRICS: z.enum(['on', 'off'], { error: 'must be on or off' }).default('off'),
  METRICS_TOKEN: optionalText,
  WEB_CONCURRENCY: z
    .string()
    .default('1')
    .refine((value) => /^\d{1,2}$/.test(value.trim()) && Number(value) >= 1 && Number(value) <= 32, {
      error: 'must be a whole number from 1 to 32',
    })
    .transform(Number),
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_BOT_TOKEN: optionalText.pipe(
    z.string().startsWith('xoxb-', { error: 'must be a bot token starting with xoxb-' }).optional(),
  ),
  SLACK_CLIENT_ID: optionalText,
  SLACK_CLIENT_SECRET: optionalText,
  SLACK_STATE_SECRET: optionalText,
  SLACK_APP_TOKEN: optionalText.pipe(
    z.string().startsWith('xapp-', { error: 'must be an app-level token starting with xapp-' }).optional(),
  ),
  SLACK_API_URL: optionalText.pipe(
    z.url({ error: 'must be a URL such as https://slack.com/api/' }).optional(),
  ),
  MICROSOFT_APP_ID: optionalText,
  MICROSOFT_APP_PASSWORD: optionalText,
  MICROSOFT_APP_TYPE: optionalText.pipe(
    z
      .enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI'], {
        error: 'must be MultiTenant, SingleTenant or UserAssignedMSI',
      })
      .optional(),
  ),
  MICROSOFT_APP_TENANT_ID: optionalText,
  TEAMS_EMULATOR: bool,
  ENCRYPTION_KEY: optionalText.pipe(
    z
      .string()
      .refine(isEncryptionKey, { error: 'must be 32 bytes in base64 (openssl rand -base64 32)' })
      .optional(),
  ),
  ENCRYPTION_KEYS: z
    .string()
    .optional()
    .transform((value) =>
      (value ?? '')
        .split(',')
        .map((key) => key.trim())
        .filter(Boolean),
    )
    .refine((keys) => keys.every(isEncryptionKey), {
      error: 'must list keys of 32 bytes in base64, separated by commas',
    }),
  ADMIN_USER_IDS: z
    .string()
    .optional()
    .transform((value) =>
      (value ?? '')
        .split(',')
        .map((id) => id.trim())
        .filter(Boolean),
    ),
});

type Env = z.infer<typeof envSchema>;

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

/** Limits on the connections to a Postgres server (the embedded database has one, in this process). */
export interface DatabaseLimits {
  poolSize: number;
  connectTimeoutMs: number;
  /** 0: no limit. */
  statementTimeoutMs: number;
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

export interface ConfigProblem {
  variable: string;
  message: string;
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

/** The offending value, quoted, for a message: never for a secret setting, and never very long. */
function quotedValue(variable: string, value: string | undefined): string {
  if (value === undefined || SECRET_SETTINGS.has(variable)) return '';
  return `${JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)} `;
}

/** Every secret value among the settings, for the logger to mask (the database password included). */
function secretValues(env: Record<string, string | undefined>): string[] {
  const values: string[] = [];
  for (const name of SECRET_SETTINGS) {
    const value = env[name]?.trim();
    if (!value) continue;
    if (name === 'DATABASE_URL') {
      try {
        const password = decodeURIComponent(new URL(value).password);
        if (password) values.push(password);
      } catch {
        // An unparseable URL fails validation and is never echoed.
      }
      continue;
    }
    values.push(...(name === 'ENCRYPTION_KEYS' ? value.split(',').map((v) => v.trim()) : [value]));
  }
  return values.filter(Boolean);
}

function isEncryptionKey(value: string): boolean {
  return /^[A-Za-z0-9+/]{43}=$/.test(value) && Buffer.from(value, 'base64').length === 32;
}

function resolveSlack(e: Env, problems: ConfigProblem[]): SlackConfig {
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

function resolveTeams(e: Env, problems: ConfigProblem[]): TeamsConfig {
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

function configError(problems: ConfigProblem[]): AppError {
  const lines = problems.map(({ variable, message }) => {
    const purpose = (SETTINGS as Record<string, string>)[variable];
    return `  ${variable} ${message}.${purpose ? `\n    (${variable}: ${purpose})` : ''}`;
  });
  return new AppError('config.invalid', `The bot cannot start; fix these settings:\n${lines.join('\n')}`);
}

export function isValidTimezone(name: string): boolean {
  if (!name || (!name.includes('/') && name !== 'UTC')) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

function closestSetting(name: string): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of Object.keys(SETTINGS)) {
    const distance = editDistance(name, candidate);
    if (distance <= 3 && (!best || distance < best.distance)) best = { name: candidate, distance };
  }
  return best?.name;
}

/** Levenshtein distance; small inputs only (setting names, command words). */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] ?? 0;
      row[j] = Math.min(current + 1, (row[j - 1] ?? 0) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length] ?? 0;
}

/** Loads `.env` from the working directory into the process environment when the file exists. */
export function loadDotEnv(file = '.env'): void {
  // process.loadEnvFile never overrides a variable that is already set: the real environment wins.
  if (existsSync(file)) process.loadEnvFile(file);
}
