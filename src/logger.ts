import { type Logger, pino } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

export interface LogOptions {
  level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  format: 'json' | 'pretty';
  /** Configured secret values (tokens, passwords, keys): masked wherever they would appear in a line. */
  secrets?: string[];
}

/** Paths pino blanks out wherever they appear in a log object, so a secret never reaches a log line. */
const REDACTED = [
  'token',
  'botToken',
  'appToken',
  'clientSecret',
  'signingSecret',
  'stateSecret',
  'appPassword',
  'password',
  'authorization',
  '*.token',
  '*.botToken',
  '*.appToken',
  '*.clientSecret',
  '*.signingSecret',
  '*.stateSecret',
  '*.appPassword',
  '*.password',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers["x-slack-signature"]',
];

export function createLogger(options: LogOptions, destination?: NodeJS.WritableStream): Logger {
  const sanitizer = createLogSanitizer(options.secrets ?? []);
  const base = {
    level: options.level,
    redact: { paths: REDACTED, censor: '[redacted]' },
    base: { service: 'aif-quiz' },
    // Errors reach pino already reduced by the sanitizer; pino's own serializer would re-read them.
    serializers: { err: (err: unknown) => err },
    hooks: {
      // Every call on this logger and its children passes here, whoever makes it (our code, Bolt's
      // adapter, an error sink): values are cut to size, errors reduced to safe fields, secrets masked.
      logMethod(this: Logger, args: unknown[], method: (...a: unknown[]) => void) {
        method.apply(this, sanitizer.args(args));
      },
      // The finished line, bindings included: a last mask for anything that slipped past the above.
      streamWrite: (line: string) => sanitizer.text(line, Number.POSITIVE_INFINITY),
    },
  };
  if (options.format === 'pretty') {
    // A synchronous pretty stream (not a worker transport) keeps start-up fast and ordering exact.
    return pino(
      base,
      pretty({
        colorize: true,
        translateTime: 'SYS:HH:MM:ss',
        ignore: 'pid,hostname,service',
        sync: true,
        destination: destination ?? 1,
      }),
    );
  }
  return destination ? pino(base, destination) : pino(base);
}

/** Longest string value kept in a log line; a 100 KB display name must not make a 100 KB line. */
const MAX_STRING = 1_000;
const MAX_MESSAGE = 2_000;
const MAX_STACK_FRAMES = 12;
const MAX_ITEMS = 20;
const MAX_KEYS = 40;
const MAX_DEPTH = 5;

/** Error fields worth a log line; others (pg's `detail`, drizzle's `params`, request objects) carry data. */
const ERROR_FIELDS = ['code', 'constraint', 'table', 'column', 'routine', 'statusCode', 'status'] as const;

const QUERY_PARAMS = /\nparams: [\s\S]*/;

/** Shapes of credentials that may reach a line without being configured (an OAuth-installed bot token). */
const CREDENTIAL_PATTERNS: Array<[RegExp, string]> = [
  [/\bxox[a-z]-[A-Za-z0-9-]+/g, 'xox*-[redacted]'],
  [/\bxapp-[A-Za-z0-9-]+/g, 'xapp-[redacted]'],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g, '$1 [redacted]'],
  [
    /(client_secret|password|refresh_token|access_token|token)(["']?\s*[=:]\s*["']?)[^\s"'&,}]+/gi,
    '$1$2[redacted]',
  ],
  [/(\/\/[^/\s:@]+:)[^@\s/]+@/g, '$1***@'],
];

/**
 * The single redaction layer of the service's logs: truncates long values, turns errors into their
 * type, message (without query parameters), code and stack frames, and masks the configured secrets
 * and anything shaped like a credential.
 */
export function createLogSanitizer(secrets: string[]) {
  // Short values would mask ordinary words; configured secrets are long in practice.
  const known = [...new Set(secrets.filter((s) => s.length >= 6))].sort((a, b) => b.length - a.length);

  function text(value: string, max = MAX_STRING): string {
    // A failed drizzle query's message ends with its parameters (people's names, tokens), wherever it is quoted.
    let out = value.replace(QUERY_PARAMS, '\nparams: [not logged]');
    if (out.length > max) out = `${out.slice(0, max)}…[${out.length - max} more chars]`;
    for (const secret of known) if (out.includes(secret)) out = out.split(secret).join('[redacted]');
    for (const [pattern, replacement] of CREDENTIAL_PATTERNS) out = out.replace(pattern, replacement);
    return out;
  }

  function error(err: Error, depth: number): Record<string, unknown> {
    const fields = err as unknown as Record<string, unknown>;
    // A failed drizzle query carries its parameters (people's names, tokens) in `params` and in its message.
    const message = err.message.replace(QUERY_PARAMS, '');
    const out: Record<string, unknown> = {
      type: err.name && err.name !== 'Error' ? err.name : (err.constructor?.name ?? 'Error'),
      message: text(message, MAX_MESSAGE),
    };
    if (Array.isArray(fields.params)) out.params = `[${fields.params.length} values not logged]`;
    for (const key of ERROR_FIELDS) {
      const field = fields[key];
      if (typeof field === 'string' || typeof field === 'number') out[key] = text(String(field));
    }
    const slackError = (fields.data as { error?: unknown } | undefined)?.error;
    if (typeof slackError === 'string') out.slackError = text(slackError);
    if (typeof err.stack === 'string') {
      out.stack = err.stack
        .split('\n')
        .filter((line) => /^\s+at /.test(line))
        .slice(0, MAX_STACK_FRAMES)
        .map((line) => text(line.trim(), 300))
        .join('\n');
    }
    if (depth < 3) {
      for (const key of ['cause', 'original'] as const) {
        if (fields[key] !== undefined) out[key] = value(fields[key], depth + 1);
      }
    }
    return out;
  }

  function value(input: unknown, depth = 0): unknown {
    if (typeof input === 'string') return text(input);
    if (input === null || typeof input !== 'object') {
      return typeof input === 'function' || typeof input === 'symbol' ? String(input) : input;
    }
    if (input instanceof Error) return error(input, depth);
    if (input instanceof Date) return input;
    if (depth >= MAX_DEPTH) return '[nested too deep]';
    if (Buffer.isBuffer(input) || ArrayBuffer.isView(input))
      return `[binary, ${(input as Uint8Array).byteLength} bytes]`;
    if (Array.isArray(input)) {
      const items = input.slice(0, MAX_ITEMS).map((item) => value(item, depth + 1));
      if (input.length > MAX_ITEMS) items.push(`[${input.length - MAX_ITEMS} more items]`);
      return items;
    }
    const out: Record<string, unknown> = {};
    const keys = Object.keys(input);
    for (const key of keys.slice(0, MAX_KEYS))
      out[key] = value((input as Record<string, unknown>)[key], depth + 1);
    if (keys.length > MAX_KEYS) out['…'] = `${keys.length - MAX_KEYS} more keys`;
    return out;
  }

  /** The arguments of one logger call, made safe: `(obj?, msg?, ...format args)`. */
  function args(input: unknown[]): unknown[] {
    return input.map((arg, index) => {
      if (arg instanceof Error && index === 0) {
        const err = error(arg, 0);
        return { err };
      }
      if (typeof arg === 'string') return text(arg, MAX_MESSAGE);
      return value(arg);
    });
  }

  return { text, value, args };
}

/** Hides the password of a connection URL for logs and messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '[unparseable url]';
  }
}
