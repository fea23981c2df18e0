import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, queryRows } from '../../src/db/client.js';
import { migrateDatabase, migrationStatus } from '../../src/db/migrate.js';
import { workspaces } from '../../src/db/schema.js';
import { createPostgresDatabase, createTestDatabase, testPostgresUrl } from '../support/database.js';

const serverUrl = testPostgresUrl();

describe.each([
  { driver: 'pglite' as const, available: true },
  { driver: 'postgres' as const, available: Boolean(serverUrl) },
])('migrations on $driver', ({ driver, available }) => {
  it.skipIf(!available)(
    'build the schema from nothing, and a second run changes nothing',
    async () => {
      const test = await createTestDatabase({ kind: driver, migrate: false });
      try {
        const first = await migrateDatabase(test.handle);
        expect(first.applied).toBeGreaterThan(0);
        const second = await migrateDatabase(test.handle);
        expect(second).toEqual({ applied: 0, total: first.total });
        expect(await migrationStatus(test.handle)).toEqual({ expected: first.total, applied: first.total });

        // The same schema works through this driver: write and read a row.
        await test.handle.db.insert(workspaces).values({ platform: 'local', externalId: 'local' });
        const rows = await test.handle.db.select().from(workspaces);
        expect(rows).toHaveLength(1);
      } finally {
        await test.destroy();
      }
      // A new PGlite runs its own initdb first: several seconds of CPU, more on a busy machine.
    },
    120_000,
  );
});

describe.skipIf(!serverUrl)('concurrent migrations on one Postgres', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it('two processes migrating at once apply each migration exactly once', async () => {
    const { url, drop } = await createPostgresDatabase(serverUrl as string);
    const a = await openDatabase({ kind: 'postgres', url });
    const b = await openDatabase({ kind: 'postgres', url });
    cleanups.push(async () => {
      await a.close();
      await b.close();
      await drop();
    });
    const [ra, rb] = await Promise.all([migrateDatabase(a), migrateDatabase(b)]);
    expect(ra.applied + rb.applied).toBe(ra.total);
    expect(Math.min(ra.applied, rb.applied)).toBe(0);
    const [row] = await queryRows<{ n: number }>(
      a.db,
      sql`select count(*)::int as n from drizzle.__drizzle_migrations`,
    );
    expect(row?.n).toBe(ra.total);
  });
});

describe('concurrent migrations on PGlite', () => {
  it('two migrate calls in one process take turns and apply once', async () => {
    const test = await createTestDatabase({ kind: 'pglite', migrate: false });
    try {
      const [ra, rb] = await Promise.all([migrateDatabase(test.handle), migrateDatabase(test.handle)]);
      expect(ra.applied + rb.applied).toBe(ra.total);
    } finally {
      await test.destroy();
    }
    // Starting PGlite and applying every migration takes ~30 s on the shared 2-core machine.
  }, 90_000);
});
