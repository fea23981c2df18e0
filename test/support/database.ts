import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import type { DatabaseConfig } from '../../src/config.js';
import { type DatabaseHandle, openDatabase } from '../../src/db/client.js';
import { migrateDatabase } from '../../src/db/migrate.js';

export interface TestDatabase {
  handle: DatabaseHandle;
  config: DatabaseConfig;
  /** Closes the handle and drops the database. */
  destroy(): Promise<void>;
}

/** The Postgres server the run uses, or undefined when the run is on PGlite. */
export function testPostgresUrl(): string | undefined {
  const target = inject('testDatabase');
  return target.kind === 'postgres' ? target.url : undefined;
}

/**
 * A fresh, empty database for one test file: a new database on the run's Postgres server, or a new
 * in-memory PGlite. With `migrate` (the default) it is built by the real migrations.
 */
export async function createTestDatabase(
  options: { migrate?: boolean; kind?: 'postgres' | 'pglite' } = {},
): Promise<TestDatabase> {
  const serverUrl = testPostgresUrl();
  const kind = options.kind ?? (serverUrl ? 'postgres' : 'pglite');
  if (kind === 'pglite') {
    const config: DatabaseConfig = { kind: 'pglite', dataDir: 'memory://' };
    const handle = await openDatabase(config);
    if (options.migrate !== false) await migrateDatabase(handle);
    return { handle, config, destroy: () => handle.close() };
  }
  if (!serverUrl) throw new Error('no Postgres server in this run');
  const { url, drop } = await createPostgresDatabase(serverUrl);
  const config: DatabaseConfig = { kind: 'postgres', url };
  const handle = await openDatabase(config);
  if (options.migrate !== false) await migrateDatabase(handle);
  return {
    handle,
    config,
    async destroy() {
      await handle.close();
      await drop();
    },
  };
}

/** Creates an empty database on the server; `drop` removes it again. */
export async function createPostgresDatabase(
  serverUrl: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `aifq_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}
