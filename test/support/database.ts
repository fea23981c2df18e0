import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
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
 * A fresh database for one test file: a new database on the run's Postgres server, or a new PGlite.
 * With `migrate` (the default) it holds the real schema, cloned from the run's template (built once
 * by the real migrations in global-setup.ts); without, it is empty.
 */
export async function createTestDatabase(
  options: { migrate?: boolean; kind?: 'postgres' | 'pglite' } = {},
): Promise<TestDatabase> {
  const target = inject('testDatabase');
  const kind = options.kind ?? target.kind;
  const migrated = options.migrate !== false;
  if (kind === 'pglite') {
    // A copied data folder opens in a fraction of the time initdb and the migrations take.
    const templateDir = target.kind === 'pglite' ? target.templateDir : undefined;
    const dataDir = migrated && templateDir ? await copyDataDir(templateDir) : undefined;
    const config: DatabaseConfig = { kind: 'pglite', dataDir: dataDir ?? 'memory://' };
    const handle = await openDatabase(config);
    if (migrated && !dataDir) await migrateDatabase(handle);
    return {
      handle,
      config,
      async destroy() {
        await handle.close();
        if (dataDir) await rm(dataDir, { recursive: true, force: true });
      },
    };
  }
  if (target.kind !== 'postgres') throw new Error('no Postgres server in this run');
  const { url, drop } = await createPostgresDatabase(
    target.url,
    migrated ? { template: target.template } : {},
  );
  const config: DatabaseConfig = { kind: 'postgres', url };
  const handle = await openDatabase(config);
  return {
    handle,
    config,
    async destroy() {
      await handle.close();
      await drop();
    },
  };
}

/** A copy of the run's migrated PGlite folder, for one file (or one service) to own. */
export async function copyDataDir(templateDir: string): Promise<string> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'aifq-test-'));
  await cp(templateDir, dataDir, { recursive: true });
  return dataDir;
}

/** The run's migrated template: its name on the Postgres server, or its PGlite folder. */
export function testTemplate(): { postgres: string } | { pgliteDir: string } {
  const target = inject('testDatabase');
  return target.kind === 'postgres' ? { postgres: target.template } : { pgliteDir: target.templateDir };
}

/**
 * Creates a database on the server, empty or (`template`) a copy of a migrated one, which Postgres
 * makes by copying files: much faster than running the migrations. `drop` removes it again.
 */
export async function createPostgresDatabase(
  serverUrl: string,
  options: { template?: string } = {},
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `aifq_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}${options.template ? ` template ${options.template}` : ''}`);
  } finally {
    await admin.end();
  }
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
