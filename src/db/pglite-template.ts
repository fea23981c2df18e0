import { randomBytes } from 'node:crypto';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { PGlite } from '@electric-sql/pglite';
import { LOCK_FILE } from './data-dir-lock.js';

/**
 * How the embedded database runs. Postgres' defaults are sized for a server: 128 MB of shared
 * buffers, which the WebAssembly build zero-fills at start (so they are resident at once), and
 * room for 100 connections. The embedded database has one connection and a working set of a few
 * megabytes (the bank, a team's answers): 16 MB of buffers keeps it all cached, and the file reads
 * beyond it hit the operating system's cache.
 */
export const PGLITE_START_PARAMS: string[] = [
  ...PGlite.defaultStartParams,
  ...['shared_buffers=16MB', 'max_connections=8', 'max_wal_senders=0', 'max_replication_slots=0'].flatMap(
    (setting) => ['-c', setting],
  ),
];

/**
 * Compiles the embedded database's WebAssembly with V8's baseline compiler only. By default V8 also
 * recompiles the hot functions of the 9 MB module with its optimising compiler, in the background;
 * in a process that starts, answers a few queries a minute and idles, that costs more than it ever
 * saves: measured here, opening an existing folder took 1.4 s of CPU and 164 MB resident with it,
 * 0.8 s and 125 MB without, and 600 queries after that 2.7 s of CPU against 1.1 s. Process-wide, so
 * only called when the embedded database is used (the other WebAssembly in Node, its HTTP parser,
 * runs a little slower for it).
 */
export function useBaselineWasmCompiler(): void {
  v8.setFlagsFromString('--liftoff-only');
}

/** The file whose presence says a folder holds a database (what PGlite itself checks). */
const MARKER = 'PG_VERSION';

function pgliteVersion(): string {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const manifest = path.join(path.dirname(entry), '..', 'package.json');
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

/**
 * Where the ready-made database folder is kept: beside the installed packages, one per PGlite
 * version (a folder written by one version of Postgres is not opened by another).
 */
export function defaultTemplateDir(): string {
  const cache = fileURLToPath(new URL('../../node_modules/.cache/aif-quiz/', import.meta.url));
  return path.join(cache, `pgdata-pglite-${pgliteVersion()}`);
}

/**
 * Builds a database folder the slow way, once: initdb (seconds of CPU and a second WebAssembly
 * instance) and then the migrations. Written to a scratch folder and renamed into place, so a
 * build that is interrupted, or two that race, never leave a half-made template behind.
 *
 * @example await buildTemplate({ target: defaultTemplateDir(), migrationsFolder: MIGRATIONS_DIR });
 */
export async function buildTemplate(options: { target: string; migrationsFolder: string }): Promise<void> {
  const scratch = `${options.target}.build-${process.pid}-${randomBytes(4).toString('hex')}`;
  mkdirSync(path.dirname(options.target), { recursive: true });
  try {
    const client = await PGlite.create(scratch, { startParams: PGLITE_START_PARAMS });
    try {
      const { drizzle } = await import('drizzle-orm/pglite');
      const { migrate } = await import('drizzle-orm/pglite/migrator');
      await migrate(drizzle(client), { migrationsFolder: options.migrationsFolder });
      await client.exec('checkpoint');
    } finally {
      await client.close();
    }
    try {
      renameSync(scratch, options.target);
    } catch (error) {
      // Another process finished first: its template is as good as this one.
      if (!existsSync(path.join(options.target, MARKER))) throw error;
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Fills a new, locked DATA_DIR from the template (built first if there is none), which is a file
 * copy instead of an initdb. A folder that already holds a database is left alone. `PG_VERSION` is
 * copied last, so a copy cut short is seen as no database and done again next time. Returns false
 * when no template could be had (a read-only install, say): PGlite then runs initdb as usual.
 */
export async function seedFromTemplate(
  dataDir: string,
  options: { templateDir: string; migrationsFolder: string },
): Promise<boolean> {
  if (existsSync(path.join(dataDir, MARKER))) return false;
  const template = options.templateDir;
  try {
    if (!existsSync(path.join(template, MARKER))) await buildTemplate({ target: template, ...options });
  } catch {
    return false;
  }
  // Copied over whatever is there (the remains of a copy cut short are overwritten); nothing in the
  // folder is deleted, in case DATA_DIR names a folder that holds something else too.
  for (const entry of readdirSync(template)) {
    if (entry === MARKER || entry === LOCK_FILE) continue;
    cpSync(path.join(template, entry), path.join(dataDir, entry), { recursive: true });
  }
  copyFileSync(path.join(template, MARKER), path.join(dataDir, MARKER));
  return true;
}
