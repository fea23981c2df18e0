import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { LOCK_FILE } from '../../src/db/data-dir-lock.js';
import { MIGRATIONS_DIR, migrateDatabase, migrationStatus } from '../../src/db/migrate.js';
import { buildTemplate, seedFromTemplate } from '../../src/db/pglite-template.js';
import { workspaces } from '../../src/db/schema.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'aifq-template-'));
const template = path.join(scratch, 'template');
/** The real migrations but the last: the template was built before that one was written. */
const olderMigrations = path.join(scratch, 'older-migrations');
const journal = JSON.parse(readFileSync(path.join(MIGRATIONS_DIR, 'meta/_journal.json'), 'utf8')) as {
  entries: Array<{ tag: string }>;
};
const total = journal.entries.length;

beforeAll(async () => {
  cpSync(MIGRATIONS_DIR, olderMigrations, { recursive: true });
  const older = { ...journal, entries: journal.entries.slice(0, -1) };
  writeFileSync(path.join(olderMigrations, 'meta/_journal.json'), JSON.stringify(older));
  rmSync(path.join(olderMigrations, `${journal.entries.at(-1)?.tag}.sql`));
  // One initdb for the whole file: several seconds of CPU, more on a busy machine.
  await buildTemplate({ target: template, migrationsFolder: olderMigrations });
}, 180_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('a new embedded database folder', () => {
  it('starts as a copy of the ready-made database, takes the newer migrations and answers', async () => {
    const dataDir = path.join(scratch, 'data');
    mkdirSync(dataDir);
    writeFileSync(path.join(dataDir, 'notes.txt'), 'not ours');
    const seed = () =>
      seedFromTemplate(dataDir, { templateDir: template, migrationsFolder: olderMigrations });
    expect(await seed()).toBe(true);
    expect(existsSync(path.join(dataDir, 'PG_VERSION'))).toBe(true);
    expect(readFileSync(path.join(dataDir, 'notes.txt'), 'utf8')).toBe('not ours');

    const handle = await openDatabase({ kind: 'pglite', dataDir });
    try {
      // Still claimed for this one process, as any embedded folder is.
      expect(readFileSync(path.join(dataDir, LOCK_FILE), 'utf8')).toBe(`${process.pid}\n`);
      expect(await migrationStatus(handle)).toEqual({ expected: total, applied: total - 1 });
      expect(await migrateDatabase(handle)).toEqual({ applied: 1, total });
      await handle.db.insert(workspaces).values({ platform: 'local', externalId: 'local' });
      expect(await handle.db.select().from(workspaces)).toHaveLength(1);
    } finally {
      await handle.close();
    }
    expect(existsSync(path.join(dataDir, LOCK_FILE))).toBe(false);

    // Now it holds a database: seeding again must not touch it, and it opens with its row.
    expect(await seed()).toBe(false);
    const again = await openDatabase({ kind: 'pglite', dataDir });
    try {
      expect(await migrationStatus(again)).toEqual({ expected: total, applied: total });
      expect(await again.db.select().from(workspaces)).toHaveLength(1);
    } finally {
      await again.close();
    }
  }, 180_000);
});
