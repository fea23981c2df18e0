import { eq, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { learningProfiles } from './learning.table.js';

/** Each person's study plan (the exam date of `exam <YYYY-MM-DD>`). */
export function createProfilesRepository(db: Database) {
  return {
    /** Sets the exam date, or clears it with null. */
    async setExamDate(userId: string, examDate: string | null, now: Date): Promise<void> {
      await db
        .insert(learningProfiles)
        .values({ userId, examDate, updatedAt: now })
        .onConflictDoUpdate({
          target: learningProfiles.userId,
          set: { examDate: sql`excluded.exam_date`, updatedAt: sql`excluded.updated_at` },
        });
    },
    async examDate(userId: string): Promise<string | null> {
      const [row] = await db
        .select({ examDate: learningProfiles.examDate })
        .from(learningProfiles)
        .where(eq(learningProfiles.userId, userId));
      return row?.examDate ?? null;
    },
  };
}
