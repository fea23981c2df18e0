import type { TestProject } from 'vitest/node';

export type TestDatabaseTarget = { kind: 'postgres'; url: string; source: string } | { kind: 'pglite' };

declare module 'vitest' {
  export interface ProvidedContext {
    testDatabase: TestDatabaseTarget;
  }
}

/**
 * Picks the database the whole run uses, once: DATABASE_URL (or TEST_DATABASE_URL) when set; else a
 * throwaway Postgres from testcontainers when a container runtime answers; else embedded PGlite.
 * Each test file then creates its own fresh database from it (see database.ts).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const url = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
  if (url) {
    project.provide('testDatabase', {
      kind: 'postgres',
      url,
      source: process.env.TEST_DATABASE_URL ? 'TEST_DATABASE_URL' : 'DATABASE_URL',
    });
    console.log(
      `[tests] database: Postgres from ${process.env.TEST_DATABASE_URL ? 'TEST_DATABASE_URL' : 'DATABASE_URL'}`,
    );
    return async () => {};
  }
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:15-alpine').start();
    project.provide('testDatabase', {
      kind: 'postgres',
      url: container.getConnectionUri(),
      source: 'testcontainers',
    });
    console.log('[tests] database: Postgres in a container (testcontainers)');
    return async () => {
      await container.stop();
    };
  } catch {
    project.provide('testDatabase', { kind: 'pglite' });
    console.log('[tests] database: embedded PGlite (set DATABASE_URL to test against a Postgres server)');
    return async () => {};
  }
}
