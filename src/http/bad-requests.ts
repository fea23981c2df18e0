import type { Request, Response } from 'express';
import type { Logger } from '../logger.js';

/** A refused request: the status, a stable code, and a message safe to show to anyone. */
export interface Refusal {
  status: 400 | 401 | 404 | 413 | 415;
  code: string;
  message: string;
}

/**
 * Answers requests the service will not process (malformed, unsigned, oversized) with a 4xx and
 * a short JSON body, and notes each in one warning line without a stack. Anyone can send these,
 * so the lines are limited per source address: at most `perMinute` a minute each, and the first
 * line of the next minute says how many were left out.
 */
export function createBadRequests(options: {
  logger: Logger;
  perMinute?: number;
  /** Sources remembered at once; past this the memory is emptied (a flood from many addresses). */
  maxSources?: number;
  now?: () => number;
}) {
  const perMinute = options.perMinute ?? 10;
  const maxSources = options.maxSources ?? 10_000;
  const now = options.now ?? Date.now;
  const sources = new Map<string, { minute: number; lines: number; skipped: number }>();

  function note(source: string, fields: Record<string, unknown>, message: string): void {
    const minute = Math.floor(now() / 60_000);
    let entry = sources.get(source);
    if (!entry || entry.minute !== minute) {
      if (!entry && sources.size >= maxSources) sources.clear();
      entry = { minute, lines: 0, skipped: entry?.skipped ?? 0 };
      sources.set(source, entry);
    }
    if (entry.lines >= perMinute) {
      entry.skipped++;
      return;
    }
    entry.lines++;
    const skipped = entry.skipped;
    entry.skipped = 0;
    options.logger.warn({ source, ...fields, ...(skipped ? { skippedBefore: skipped } : {}) }, message);
  }

  return {
    /** Answers with the refusal and notes it (rate-limited per source), by default as "refused a request: …". */
    refuse(
      req: Request,
      res: Response,
      refusal: Refusal,
      fields: Record<string, unknown> = {},
      logMessage = `refused a request: ${refusal.message}`,
    ): void {
      note(
        req.ip ?? req.socket.remoteAddress ?? 'unknown',
        {
          status: refusal.status,
          code: refusal.code,
          method: req.method,
          path: req.originalUrl.slice(0, 200),
          ...fields,
        },
        logMessage,
      );
      if (!res.headersSent)
        res.status(refusal.status).json({ error: refusal.code, message: refusal.message });
    },
  };
}

export type BadRequests = ReturnType<typeof createBadRequests>;

/** What body-parser's errors mean for the client (too large, not JSON, unreadable). */
export function refusalOfBodyError(error: unknown): Refusal | undefined {
  // body-parser's errors carry a `type` such as 'entity.parse.failed' and a 4xx status.
  const type = (error as { type?: unknown } | undefined)?.type;
  if (typeof type !== 'string') return undefined;
  const status = (error as { status?: unknown }).status;
  if (status === 413 || type === 'entity.too.large')
    return { status: 413, code: 'request.too_large', message: 'The request body is too large.' };
  if (status === 415 || type === 'charset.unsupported' || type === 'encoding.unsupported')
    return {
      status: 415,
      code: 'request.unsupported_encoding',
      message: 'The request body has an unsupported encoding.',
    };
  if (typeof status === 'number' && status >= 400 && status < 500)
    return { status: 400, code: 'request.malformed', message: 'The request body could not be read.' };
  return undefined;
}
