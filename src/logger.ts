import { type Logger, pino } from 'pino';
import pretty from 'pino-pretty';
import type { Config } from './config.js';

export type { Logger };

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

export function createLogger(options: Config['log'], destination?: NodeJS.WritableStream): Logger {
  const base = {
    level: options.level,
    redact: { paths: REDACTED, censor: '[redacted]' },
    base: { service: 'aif-quiz' },
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
