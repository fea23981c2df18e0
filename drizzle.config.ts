import { defineConfig } from 'drizzle-kit';

// Migrations are generated from the schema with `npm run db:generate` and applied by the service
// itself at start-up (or `aif-quiz migrate`), under an advisory lock.
export default defineConfig({
  dialect: 'postgresql',
  schema: [
    './src/db/schema.ts',
    './src/learning/learning.table.ts',
    './src/learning/mock/mock.table.ts',
    './src/quiz/progress/progress.table.ts',
    './src/jobs/digest-charts.table.ts',
  ],
  out: './migrations',
  ...(process.env.DATABASE_URL ? { dbCredentials: { url: process.env.DATABASE_URL } } : {}),
});
