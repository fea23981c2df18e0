import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { type SQL, sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { DATABASE_DEFAULTS, type DatabaseConfig, type DatabaseLimits } from '../config.js';
import { lockDataDir } from './data-dir-lock.js';
import { MIGRATIONS_DIR } from './paths.js';
import {
  defaultTemplateDir,
  PGLITE_START_PARAMS,
  seedFromTemplate,
  useBaselineWasmCompiler,
} from './pglite-template.js';
import * as schema from './schema.js';

/** The one database type the code is written against: a Postgres server through `pg`, or PGlite. */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface DatabaseHandle {
  db: Database;
  kind: DatabaseConfig['kind'];
  /**
   * Runs `fn` while holding a Postgres advisory lock, so concurrent processes take turns. `fn` gets
   * the session that holds the lock, which has no statement timeout: migrations and the bank sync
   * may legitimately run long, and waiting for another process's turn is not a stall.
   */
  withAdvisoryLock<T>(key: bigint, fn: (db: Database) => Promise<T>): Promise<T>;
  ping(): Promise<void>;
  /** Connections in use and waiting, for the metrics; the embedded database adds its memory. */
  poolStats(): PoolStats;
  close(): Promise<void>;
}

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
  max: number;
  memoryBytes?: number;
}

export async function openDatabase(config: DatabaseConfig): Promise<DatabaseHandle> {
  return config.kind === 'postgres'
    ? openPostgres(config.url, config.limits ?? DATABASE_DEFAULTS)
    : openPglite(config.dataDir);
}

async function openPostgres(url: string, limits: DatabaseLimits): Promise<DatabaseHandle> {
  const { drizzle } = await import('drizzle-orm/node-postgres');
  const pool = new pg.Pool({
    connectionString: url,
    max: limits.poolSize,
    idleTimeoutMillis: 30_000,
    // Bounds both opening a connection and waiting for a free one when every connection is in use,
    // so a stalled database turns into a "busy, try again" reply instead of a request that never ends.
    connectionTimeoutMillis: limits.connectTimeoutMs,
    // Enforced by the server on every statement of the session, lock waits included.
    statement_timeout: limits.statementTimeoutMs,
    // A statement stuck behind another session's lock gives up sooner, inside Slack's 3 s for a
    // click, which is stored before it is acknowledged.
    lock_timeout: limits.lockTimeoutMs,
    idle_in_transaction_session_timeout: limits.idleInTransactionTimeoutMs,
    // A server that vanished without closing the connection (a dropped network) is noticed.
    keepAlive: true,
  });
  // An idle client that loses its server (restart, failover) must not crash the process.
  pool.on('error', () => {});
  const db = drizzle(pool, { schema }) as unknown as Database;
  return {
    db,
    kind: 'postgres',
    async withAdvisoryLock(key, fn) {
      // Session-level lock on one dedicated connection; the work itself may use any pooled connection.
      const client = await pool.connect();
      try {
        await client.query('set statement_timeout = 0');
        await client.query('set lock_timeout = 0');
        await client.query('select pg_advisory_lock($1)', [key.toString()]);
        try {
          return await fn(drizzle(client, { schema }) as unknown as Database);
        } finally {
          await client.query('select pg_advisory_unlock($1)', [key.toString()]);
        }
      } finally {
        // Back to the pool's own limits for whoever borrows this connection next.
        await client.query('reset statement_timeout').catch(() => {});
        await client.query('reset lock_timeout').catch(() => {});
        client.release();
      }
    },
    async ping() {
      await pool.query('select 1');
    },
    poolStats: () => ({
      total: pool.totalCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
      max: limits.poolSize,
    }),
    async close() {
      await pool.end();
    },
  };
}

/**
 * The embedded database. The limits of a Postgres server do not apply: it runs inside this process
 * with one connection and no other session to wait on, and it does not enforce statement timeouts.
 */
async function openPglite(dataDir: string): Promise<DatabaseHandle> {
  const { drizzle } = await import('drizzle-orm/pglite');
  const inMemory = dataDir === 'memory://';
  useBaselineWasmCompiler();
  if (!inMemory) mkdirSync(dataDir, { recursive: true });
  // Two processes on one folder would each keep their own copy and lose each other's writes.
  const lock = inMemory ? undefined : lockDataDir(dataDir);
  let client: PGlite;
  try {
    // A new folder starts as a copy of a ready-made, migrated database instead of running initdb.
    if (!inMemory)
      await seedFromTemplate(dataDir, {
        templateDir: defaultTemplateDir(),
        migrationsFolder: MIGRATIONS_DIR,
      });
    client = await PGlite.create(inMemory ? undefined : dataDir, { startParams: PGLITE_START_PARAMS });
  } catch (error) {
    lock?.release();
    throw error;
  }
  const db = drizzle(client, { schema }) as unknown as Database;
  let queue: Promise<unknown> = Promise.resolve();
  return {
    db,
    kind: 'pglite',
    // PGlite is one process and one connection: an in-process queue gives the same mutual exclusion.
    withAdvisoryLock(_key, fn) {
      const run = queue.then(
        () => fn(db),
        () => fn(db),
      );
      queue = run.catch(() => {});
      return run;
    },
    async ping() {
      await db.execute(sql`select 1`);
    },
    poolStats: () => ({
      total: 1,
      idle: 1,
      waiting: 0,
      max: 1,
      memoryBytes: client.closed ? 0 : client.Module.HEAPU8.byteLength,
    }),
    async close() {
      try {
        if (!client.closed) await client.close();
      } finally {
        lock?.release();
      }
    },
  };
}

/** Runs raw SQL and returns its rows, the same way on both drivers. */
export async function queryRows<T>(db: Database, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

export { schema };
