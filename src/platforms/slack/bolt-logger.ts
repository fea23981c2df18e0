import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import type { Logger } from '../../logger.js';

/**
 * Bolt logs through the service's logger. Errors go as errors (the logger keeps their type, message
 * and stack, never their query parameters); everything else becomes the message, which the logger
 * truncates and masks like any other line.
 */
export function boltLogger(log: Logger): SlackLogger {
  let level: LogLevel = LogLevel.INFO;
  const write = (method: 'debug' | 'info' | 'warn' | 'error', parts: unknown[]) => {
    const err = parts.find((p): p is Error => p instanceof Error);
    const text = parts
      .filter((p) => p !== err)
      .map((p) => (typeof p === 'string' ? p : safeJson(p)))
      .join(' ');
    // Without a text, pino takes the message of the error as the logger has reduced it.
    if (err) log[method]({ err }, ...(text ? [text] : []));
    else log[method](text);
  };
  return {
    // Bolt logs at debug level on every request; build the line only when it will be written.
    debug: (...parts) => {
      if (log.isLevelEnabled('debug')) write('debug', parts);
    },
    info: (...parts) => write('info', parts),
    warn: (...parts) => write('warn', parts),
    error: (...parts) => write('error', parts),
    setLevel: (next) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
