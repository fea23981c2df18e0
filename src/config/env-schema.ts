import { z } from 'zod';

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
  lockTimeoutMs: 2_000,
  idleInTransactionTimeoutMs: 30_000,
} as const;

const timezone = z.string().refine(isValidTimezone, { error: 'is not an IANA timezone (try Europe/Berlin)' });

/** Every setting as read from the environment: text in, typed values (with defaults) out. */
export const envSchema = z.object({
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
  DATABASE_LOCK_TIMEOUT_MS: wholeNumber({
    default: DATABASE_DEFAULTS.lockTimeoutMs,
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
  LEARNING_RETENTION: z
    .string()
    .default('0.9')
    .refine((value) => /^0\.\d{1,3}$/.test(value.trim()) && Number(value) >= 0.7 && Number(value) <= 0.97, {
      error: 'must be a number from 0.70 to 0.97, such as 0.9',
    })
    .transform(Number),
  LEARNING_MAX_INTERVAL_DAYS: wholeNumber({ default: 60, min: 1, max: 36_500, unit: 'days' }),
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

export type Env = z.infer<typeof envSchema>;

function isEncryptionKey(value: string): boolean {
  return /^[A-Za-z0-9+/]{43}=$/.test(value) && Buffer.from(value, 'base64').length === 32;
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
