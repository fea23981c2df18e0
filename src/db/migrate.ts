import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { type Database, type DatabaseHandle, queryRows } from './client.js';
import { MIGRATIONS_DIR } from './paths.js';

export { MIGRATIONS_DIR };

/** Arbitrary but fixed: every process of this service agrees on it. ("aifquiz" in ASCII.) */
const MIGRATION_LOCK = 0x61_69_66_71_75_69_7an;

export interface MigrationResult {
  applied: number;
  total: number;
}

/**
 * Applies pending migrations, holding an advisory lock so replicas starting together take turns;
 * the second one finds nothing left to do. Safe to run any number of times.
 */
export async function migrateDatabase(
  handle: DatabaseHandle,
  migrationsFolder = MIGRATIONS_DIR,
): Promise<MigrationResult> {
  return handle.withAdvisoryLock(MIGRATION_LOCK, async (db) => {
    const before = await countApplied(db);
    if (handle.kind === 'postgres') {
      const { migrate } = await import('drizzle-orm/node-postgres/migrator');
      // biome-ignore lint/suspicious/noExplicitAny: each migrator wants its own driver's database type
      await migrate(db as any, { migrationsFolder });
    } else {
      const { migrate } = await import('drizzle-orm/pglite/migrator');
      // biome-ignore lint/suspicious/noExplicitAny: each migrator wants its own driver's database type
      await migrate(db as any, { migrationsFolder });
    }
    const after = await countApplied(db);
    return { applied: after - before, total: after };
  });
}

/** How many migrations the files define and how many the database has applied. */
export async function migrationStatus(
  handle: DatabaseHandle,
  migrationsFolder = MIGRATIONS_DIR,
): Promise<{ expected: number; applied: number }> {
  const journal = JSON.parse(readFileSync(`${migrationsFolder}/meta/_journal.json`, 'utf8')) as {
    entries: unknown[];
  };
  return { expected: journal.entries.length, applied: await countApplied(handle.db) };
}

async function countApplied(db: Database): Promise<number> {
  const [exists] = await queryRows<{ present: boolean }>(
    db,
    sql`select to_regclass('drizzle.__drizzle_migrations') is not null as present`,
  );
  if (!exists?.present) return 0;
  const [row] = await queryRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from drizzle.__drizzle_migrations`,
  );
  return Number(row?.n ?? 0);
}
