import { editDistance } from './edit-distance.js';

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
  DATABASE_LOCK_TIMEOUT_MS:
    "Longest a statement may wait for another session's lock before it gives up and the person is told the bot is busy; below Slack's 3 s, so a click is answered in time; 0 means no limit.",
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS:
    'How long a transaction may sit idle before the server ends its session and frees its locks; 0 means no limit.',
  HOST: 'Address the HTTP server binds to.',
  PORT: 'Port of the HTTP server (health checks, Slack and Teams endpoints); 0 picks a free one.',
  LOG_LEVEL: 'Least severe log level written: fatal, error, warn, info, debug, trace or silent.',
  LOG_FORMAT:
    'json (one object a line) or pretty (for reading in a terminal); default: pretty on a terminal.',
  QUESTIONS_DIR: 'Folder of the question bank (topics.yaml and the topic files).',
  DEFAULT_TIMEZONE: 'IANA timezone for channels and people that have not chosen one, such as Europe/Berlin.',
  LEARNING_RETENTION:
    'The share of reviews a person should still get right when a question comes back (FSRS desired retention): higher brings reviews back sooner.',
  LEARNING_MAX_INTERVAL_DAYS:
    'Longest a question answered well stays away before it comes back for review, in days; keep it below the time to the exam.',
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
export const SECRET_SETTINGS: ReadonlySet<string> = new Set<SettingName>([
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

export interface ConfigProblem {
  variable: string;
  message: string;
}

/** The offending value, quoted, for a message: never for a secret setting, and never very long. */
export function quotedValue(variable: string, value: string | undefined): string {
  if (value === undefined || SECRET_SETTINGS.has(variable)) return '';
  return `${JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)} `;
}

/** Every secret value among the settings, for the logger to mask (the database password included). */
export function secretValues(env: Record<string, string | undefined>): string[] {
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

/** The setting a misspelt name most likely meant, if one is close. */
export function closestSetting(name: string): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of Object.keys(SETTINGS)) {
    const distance = editDistance(name, candidate);
    if (distance <= 3 && (!best || distance < best.distance)) best = { name: candidate, distance };
  }
  return best?.name;
}
