import path from 'node:path';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { type RunningService, startService } from '../../src/main.js';
import { ROOT } from './cli.js';
import { createPostgresDatabase, testPostgresUrl } from './database.js';

/**
 * The service as the platform tests run it: on a database of its own (a new one on the test run's
 * Postgres server, else the embedded database in memory), with the small fixture bank, no
 * scheduler, a free port and no logs. `env` adds the platform's settings. `stop` closes the
 * service and drops its database.
 */
export async function startTestService(
  env: Record<string, string>,
  options: {
    /** Where to write the service's logs (JSON lines, at LOG_LEVEL or trace); silent without. */
    logs?: NodeJS.WritableStream;
    /** Adds a password to the database URL (the test server trusts everyone, so it is never checked). */
    databasePassword?: string;
  } = {},
): Promise<{ service: RunningService; stop(): Promise<void> }> {
  const serverUrl = testPostgresUrl();
  const database = serverUrl ? await createPostgresDatabase(serverUrl) : undefined;
  try {
    const databaseUrl = database ? new URL(database.url) : undefined;
    if (databaseUrl && options.databasePassword) {
      databaseUrl.username ||= 'postgres';
      databaseUrl.password = options.databasePassword;
    }
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      SCHEDULER: 'off',
      QUESTIONS_DIR: path.join(ROOT, 'test/fixtures/mini-bank'),
      ...(databaseUrl ? { DATABASE_URL: databaseUrl.toString() } : { DATA_DIR: 'memory://' }),
      LOG_LEVEL: 'trace',
      ...env,
    });
    const service = await startService({
      config,
      logger: options.logs
        ? createLogger({ ...config.log, format: 'json' }, options.logs)
        : createLogger({ level: 'silent', format: 'json' }),
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
