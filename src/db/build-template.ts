/**
 * `npm run build` ends here: makes the ready-made embedded database that a new DATA_DIR starts
 * from (see pglite-template.ts), so that even the first `npm start` skips initdb. The shipped
 * question bank goes in too, so that first start finds it stored (another bank is synced over it
 * as usual). Failing is not fatal: without a template the first start builds one itself.
 */
import { existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { loadBankCached } from '../bank/cache.js';
import { syncBank } from '../bank/sync.js';
import { openDatabase } from './client.js';
import { MIGRATIONS_DIR } from './paths.js';
import { buildTemplate, defaultTemplateDir } from './pglite-template.js';

const target = defaultTemplateDir();
const questionsDir = fileURLToPath(new URL('../../questions', import.meta.url));
const started = performance.now();
try {
  rmSync(target, { recursive: true, force: true });
  await buildTemplate({ target, migrationsFolder: MIGRATIONS_DIR });
  if (existsSync(questionsDir)) {
    const handle = await openDatabase({ kind: 'pglite', dataDir: target });
    try {
      await syncBank(handle, await loadBankCached(questionsDir));
      await handle.db.execute(sql`checkpoint`);
    } finally {
      await handle.close();
    }
  }
  console.log(`embedded database template ready in ${Math.round(performance.now() - started)} ms: ${target}`);
} catch (error) {
  console.warn(
    `embedded database template not built (the first start will build it): ${(error as Error).message}`,
  );
}
