import type { Server } from 'node:http';
import express, { type Express, type Request, type Response } from 'express';
import type { Logger } from '../logger.js';
import { createBadRequests, refusalOfBodyError } from './bad-requests.js';

export interface Readiness {
  /** Resolves with the failing checks; an empty list means ready. */
  check(): Promise<string[]>;
}

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
  mounts?: Array<{ path: string; handler: express.RequestHandler | express.Router }>;
  notConfigured?: Array<{ path: string; message: string }>;
}): HttpApp {
  const app = express();
  app.disable('x-powered-by');

  app.get('/healthz', (_req: Request, res: Response) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req: Request, res: Response) => {
    let failing: string[];
    try {
      failing = await options.readiness.check();
    } catch (error) {
      failing = [`readiness check failed: ${(error as Error).message}`];
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
          if (error) return reject(error);
          const address = server.address();
          const actualPort = typeof address === 'object' && address ? address.port : port;
          const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
          resolve({ server, url: `http://${shownHost}:${actualPort}` });
        });
        server.once('error', reject);
      });
    },
  };
}
