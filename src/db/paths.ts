import { fileURLToPath } from 'node:url';

/** The folder drizzle-kit generates into; the same relative place from `src/db` and `dist/db`. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));
