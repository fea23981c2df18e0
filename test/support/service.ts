import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import type { MockSettings } from '../../src/learning/mock/mock.types.js';
import { createLogger } from '../../src/logger.js';
import { type RunningService, startService } from '../../src/main.js';
import { ROOT } from './cli.js';
import { copyDataDir, createPostgresDatabase, testPostgresUrl, testTemplate } from './database.js';

/**
 * The service as the platform tests run it: on a database of its own (a clone of the run's migrated
 * template on its Postgres server, else a copy of the template's PGlite folder), with the small fixture bank, no
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
    /** The service's clock (the quiz's days, windows and closes); the system clock by default. */
    clock?: Clock;
    /** A small, short mock exam, so a whole one takes a few clicks. */
    mockExam?: Partial<MockSettings>;
  } = {},
): Promise<{ readonly service: RunningService; restart(): Promise<RunningService>; stop(): Promise<void> }> {
  const serverUrl = testPostgresUrl();
  const template = testTemplate();
  const database = serverUrl
    ? await createPostgresDatabase(serverUrl, 'postgres' in template ? { template: template.postgres } : {})
    : undefined;
  const dataDir = 'pgliteDir' in template ? await copyDataDir(template.pgliteDir) : undefined;
  const removeDatabase = async () => {
    await database?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  };
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
      ...(databaseUrl ? { DATABASE_URL: databaseUrl.toString() } : { DATA_DIR: dataDir ?? 'memory://' }),
      LOG_LEVEL: 'trace',
      ...env,
    });
    const start = () =>
      startService({
        config,
        ...(options.clock ? { clock: options.clock } : {}),
        ...(options.mockExam ? { mockExam: options.mockExam } : {}),
        logger: options.logs
          ? createLogger({ ...config.log, format: 'json' }, options.logs)
          : createLogger({ level: 'silent', format: 'json' }),
      });
    let service = await start();
    return {
      get service() {
        return service;
      },
      /** Closes the service and starts a new one on the same database: what survives is what was stored. */
      restart: async () => {
        await service.close();
        service = await start();
        return service;
      },
      stop: async () => {
        await service.close();
        await removeDatabase();
      },
    };
  } catch (error) {
    await removeDatabase();
    throw error;
  }
}
