import type { Server } from 'node:http';
import express, { type Express, type Request, type Response } from 'express';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { createBadRequests, refusalOfBodyError } from './bad-requests.js';

export interface Readiness {
  /** Resolves with the failing checks; an empty list means ready. */
  check(): Promise<string[]>;
}

/** How long /readyz waits for its checks: well inside the usual 2 s probe timeout. */
export const READINESS_TIMEOUT_MS = 1_500;

export interface HttpApp {
  app: Express;
  listen(host: string, port: number): Promise<{ server: Server; url: string }>;
}

/**
 * The service's one HTTP server: health and readiness probes, and the mount points of the chat
 * platforms (`/slack/events`, `/api/messages`). A platform that is not configured answers 404 with
 * what to set, rather than a bare "Cannot POST".
 */
export function createHttpApp(options: {
  logger: Logger;
  readiness: Readiness;
  /** Longest /readyz waits for the checks before it answers 503 (default READINESS_TIMEOUT_MS). */
  readinessTimeoutMs?: number;
  mounts?: Array<{ path: string; handler: express.RequestHandler | express.Router }>;
  /** Sees every request first (the HTTP metrics). */
  observe?: express.RequestHandler;
  /** Serves GET /metrics; without it, /metrics is a 404 like any unknown path. */
  metrics?: express.RequestHandler;
  notConfigured?: Array<{ path: string; message: string }>;
}): HttpApp {
  const app = express();
  app.disable('x-powered-by');
  if (options.observe) app.use(options.observe);
  if (options.metrics) app.get('/metrics', options.metrics);

  app.get('/healthz', (_req: Request, res: Response) => {
    res.json({ status: 'ok' });
  });

  const readinessTimeoutMs = options.readinessTimeoutMs ?? READINESS_TIMEOUT_MS;
  app.get('/readyz', async (_req: Request, res: Response) => {
    let failing: string[];
    let timer: NodeJS.Timeout | undefined;
    // A probe that waits is worse than one that fails: orchestrators give up after a second or two
    // and learn nothing, so a database that does not answer in time counts as not ready.
    const deadline = new Promise<string[]>((resolve) => {
      timer = setTimeout(
        () => resolve([`database: no answer within ${readinessTimeoutMs} ms (busy, locked or unreachable)`]),
        readinessTimeoutMs,
      );
    });
    try {
      failing = await Promise.race([options.readiness.check(), deadline]);
    } catch (error) {
      failing = [`readiness check failed: ${(error as Error).message}`];
    } finally {
      clearTimeout(timer);
    }
    res
      .status(failing.length === 0 ? 200 : 503)
      .json(failing.length === 0 ? { status: 'ready' } : { status: 'not ready', failing });
  });

  for (const mount of options.mounts ?? []) app.use(mount.path, mount.handler);
  for (const missing of options.notConfigured ?? []) {
    app.all(missing.path, (_req: Request, res: Response) => {
      res.status(404).json({ error: missing.message });
    });
  }

  app.use((req: Request, res: Response) => {
    res.status(404).json({ error: `No route for ${req.method} ${req.path}` });
  });

  // Express 5 hands rejected promises from handlers to here. A body nobody could read is the
  // client's fault (a 4xx and a rate-limited warning); anything else is ours: log it with context,
  // answer without details.
  const badRequests = createBadRequests({ logger: options.logger });
  app.use((error: Error, req: Request, res: Response, _next: express.NextFunction) => {
    const refusal = refusalOfBodyError(error);
    if (refusal) {
      badRequests.refuse(req, res, refusal);
      return;
    }
    options.logger.error(
      { err: error, method: req.method, path: req.path },
      'unhandled error in HTTP handler',
    );
    if (!res.headersSent) res.status(500).json({ error: 'Internal error' });
  });

  return {
    app,
    listen(host, port) {
      return new Promise((resolve, reject) => {
        const server = app.listen(port, host, (error?: Error) => {
          if (error) return reject(listenError(error, host, port));
          const address = server.address();
          const actualPort = typeof address === 'object' && address ? address.port : port;
          const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
          resolve({ server, url: `http://${shownHost}:${actualPort}` });
        });
        server.once('error', (error) => reject(listenError(error, host, port)));
      });
    },
  };
}

/** The usual reasons a port cannot be had, said plainly; anything else as it is. */
function listenError(error: Error, host: string, port: number): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE')
    return new AppError(
      'http.port_in_use',
      `Port ${port} on ${host} is already in use by another program: stop it, or choose another port with PORT (or --port).`,
      { cause: error },
    );
  if (code === 'EACCES')
    return new AppError(
      'http.port_not_allowed',
      `This user may not open port ${port} on ${host}: choose a port above 1023 with PORT (or --port).`,
      { cause: error },
    );
  return error;
}
