import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/db/client.js';
import { migrateDatabase } from '../../src/db/migrate.js';

export type TestDatabaseTarget =
  | {
      kind: 'postgres';
      url: string;
      source: string;
      /** A database on that server built by the migrations once per run; each file clones it. */
      template: string;
    }
  | {
      kind: 'pglite';
      /** A PGlite data folder built by the migrations once per run; each file copies it. */
      templateDir: string;
    };

declare module 'vitest' {
  export interface ProvidedContext {
    testDatabase: TestDatabaseTarget;
  }
}

/**
 * Picks the database the whole run uses, once: DATABASE_URL (or TEST_DATABASE_URL) when set; else a
 * throwaway Postgres from testcontainers when a container runtime answers; else embedded PGlite.
 * Then migrates one template of it, so that each test file starts from a clone of the real schema
 * instead of running every migration again (see database.ts).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const url = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
  if (url) {
    const source = process.env.TEST_DATABASE_URL ? 'TEST_DATABASE_URL' : 'DATABASE_URL';
    const template = await createPostgresTemplate(url);
    project.provide('testDatabase', { kind: 'postgres', url, source, template: template.name });
    console.log(`[tests] database: Postgres from ${source}, files cloned from template ${template.name}`);
    return template.drop;
  }
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:15-alpine').start();
    const template = await createPostgresTemplate(container.getConnectionUri());
    project.provide('testDatabase', {
      kind: 'postgres',
      url: container.getConnectionUri(),
      source: 'testcontainers',
      template: template.name,
    });
    console.log('[tests] database: Postgres in a container (testcontainers)');
    return async () => {
      await container.stop();
    };
  } catch {
    const templateDir = await mkdtemp(path.join(tmpdir(), 'aifq-template-'));
    const handle = await openDatabase({ kind: 'pglite', dataDir: templateDir });
    try {
      await migrateDatabase(handle);
    } finally {
      await handle.close();
    }
    project.provide('testDatabase', { kind: 'pglite', templateDir });
    console.log('[tests] database: embedded PGlite (set DATABASE_URL to test against a Postgres server)');
    return async () => {
      await rm(templateDir, { recursive: true, force: true });
    };
  }
}

/** A migrated database on the server for files to clone; nobody may stay connected to a template. */
async function createPostgresTemplate(serverUrl: string): Promise<{ name: string; drop(): Promise<void> }> {
  const name = `aifq_template_${randomBytes(6).toString('hex')}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ kind: 'postgres', url: url.toString() });
  try {
    await migrateDatabase(handle);
  } finally {
    await handle.close();
  }
  return { name, drop: () => admin(`drop database if exists ${name} with (force)`) };
}
