import path from 'node:path';
import { loadBank } from '../../src/bank/load.js';
import { syncBank } from '../../src/bank/sync.js';
import type { Database } from '../../src/db/client.js';
import { answers, channels, posts, users, workspaces } from '../../src/db/schema.js';
import { learningReviews } from '../../src/learning/learning.table.js';
import { answerTotals } from '../../src/quiz/progress/progress.table.js';
import { ROOT } from '../support/cli.js';
import { createTestDatabase } from '../support/database.js';

/** A fresh database built by the migrations, holding the synced mini bank, and a seeder for history. */
export async function createInsightDatabase() {
  const database = await createTestDatabase();
  const bank = await loadBank(path.join(ROOT, 'test/fixtures/mini-bank'));
  await syncBank(database.handle, bank);
  return { database, db: database.handle.db, bank, seed: seeder(database.handle.db) };
}

/**
 * Writes history straight into the tables, as the quiz would have left it: a workspace, its
 * people and channels, closed questions of the day and the answers to them.
 */
export function seeder(db: Database) {
  let workspaceId: string | undefined;
  const workspace = async () => {
    if (workspaceId) return workspaceId;
    const [row] = await db
      .insert(workspaces)
      .values({ platform: 'slack', externalId: 'T1', name: 'Team' })
      .returning();
    workspaceId = row?.id as string;
    return workspaceId;
  };
  return {
    async channel(externalId: string, options: { name?: string; timezone?: string } = {}) {
      const [row] = await db
        .insert(channels)
        .values({
          workspaceId: await workspace(),
          externalId,
          name: options.name ?? `#${externalId.toLowerCase()}`,
          timezone: options.timezone ?? 'UTC',
          active: true,
        })
        .returning();
      return row as typeof channels.$inferSelect;
    },

    async people(count: number, prefix = 'U'): Promise<string[]> {
      const ws = await workspace();
      const rows = await db
        .insert(users)
        .values(
          Array.from({ length: count }, (_, i) => ({
            workspaceId: ws,
            externalId: `${prefix}${i + 1}`,
            displayName: `${prefix}${i + 1}`,
          })),
        )
        .returning({ id: users.id });
      return rows.map((r) => r.id);
    },

    async post(channelId: string, localDate: string, questionId: string, questionVersion = 1) {
      const [row] = await db
        .insert(posts)
        .values({ channelId, localDate, questionId, questionVersion, status: 'closed' })
        .returning({ id: posts.id });
      return row?.id as string;
    },

    /** Answers to a post: each entry is who, what they chose (option indexes), and whether it was right. */
    async answer(postId: string, given: Array<{ userId: string; choice: number[]; correct: boolean }>) {
      if (given.length === 0) return;
      await db.insert(answers).values(
        given.map((g) => ({
          postId,
          userId: g.userId,
          choice: g.choice,
          correct: g.correct,
          points: g.correct ? 10 : 0,
          answeredAt: new Date('2026-11-02T10:00:00Z'),
        })),
      );
    },

    /** Makes people members of a channel as the digest counts them (an all-time totals row). */
    async members(channelId: string, userIds: string[]) {
      await db.insert(answerTotals).values(
        userIds.map((userId) => ({
          channelId,
          grain: 'all' as const,
          periodStart: '1970-01-01',
          userId,
          answered: 1,
          correct: 1,
          points: 10,
        })),
      );
    },

    /**
     * A person's study at one moment, as the learning engine logs it: `perDomain` answers in each
     * exam domain 1–5, the first `right` of each right (enough of them give a readiness verdict).
     */
    async studied(userId: string, at: Date, perDomain: number, right: number) {
      const byDomain = [
        'learning-types-001',
        'genai-basics-001',
        'retrieval-001',
        'fairness-001',
        'access-001',
      ];
      await db.insert(learningReviews).values(
        byDomain.flatMap((questionId, d) =>
          Array.from({ length: perDomain }, (_, i) => ({
            userId,
            questionId,
            questionVersion: 1,
            topic: questionId.replace(/-\d+$/, ''),
            domain: d + 1,
            source: 'practice' as const,
            correct: i < right,
            rating: i < right ? 3 : 1,
            reviewedAt: at,
          })),
        ),
      );
    },
  };
}

/** Width and height from a PNG's IHDR chunk (bytes 16–23), and whether the signature is right. */
export function pngHeader(png: Buffer): { signature: boolean; width: number; height: number } {
  return {
    signature: png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
    width: png.readUInt32BE(16),
    height: png.readUInt32BE(20),
  };
}
