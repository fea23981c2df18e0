import path from 'node:path';
import { loadConfig } from '../../src/config.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { type RunningService, startService } from '../../src/main.js';
import { ROOT } from './cli.js';
import { createPostgresDatabase, testPostgresUrl } from './database.js';

/**
 * The service as the platform tests run it: on a database of its own (a new one on the test run's
 * Postgres server, else the embedded database in memory), with the small fixture bank, no
 * scheduler, a free port and no logs unless a logger is given. `env` adds the platform's settings. `stop` closes the
 * service and drops its database.
 */
export async function startTestService(
  env: Record<string, string>,
  options: { logger?: Logger } = {},
): Promise<{ service: RunningService; stop(): Promise<void> }> {
  const serverUrl = testPostgresUrl();
  const database = serverUrl ? await createPostgresDatabase(serverUrl) : undefined;
  try {
    const service = await startService({
      config: loadConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        SCHEDULER: 'off',
        QUESTIONS_DIR: path.join(ROOT, 'test/fixtures/mini-bank'),
        ...(database ? { DATABASE_URL: database.url } : { DATA_DIR: 'memory://' }),
        ...env,
      }),
      logger: options.logger ?? createLogger({ level: 'silent', format: 'json' }),
    });
    return {
      service,
      stop: async () => {
        await service.close();
        await database?.drop();
      },
    };
  } catch (error) {
    await database?.drop();
    throw error;
  }
}
