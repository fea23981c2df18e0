/**
 * `npm run build` ends here: makes the ready-made embedded database that a new DATA_DIR starts
 * from (see pglite-template.ts), so that even the first `npm start` skips initdb. Failing is not
 * fatal: without a template the first start builds one itself.
 */
import { rmSync } from 'node:fs';
import { MIGRATIONS_DIR } from './paths.js';
import { buildTemplate, defaultTemplateDir } from './pglite-template.js';

const target = defaultTemplateDir();
const started = performance.now();
try {
  rmSync(target, { recursive: true, force: true });
  await buildTemplate({ target, migrationsFolder: MIGRATIONS_DIR });
  console.log(`embedded database template ready in ${Math.round(performance.now() - started)} ms: ${target}`);
} catch (error) {
  console.warn(
    `embedded database template not built (the first start will build it): ${(error as Error).message}`,
  );
}
