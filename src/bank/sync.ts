import { createHash } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { DatabaseHandle } from '../db/client.js';
import { questions, questionVersions } from '../db/schema.js';
import type { Bank } from './bank.js';
import type { BankQuestion } from './schema.js';

export interface SyncResult {
  added: number;
  changed: number;
  retired: number;
  reactivated: number;
  unchanged: number;
}

/** Bank syncs from several replicas take turns, like migrations. ("aifbank" in ASCII.) */
const SYNC_LOCK = 0x61_69_66_62_61_6e_6bn;

/**
 * What a version is made of: everything a learner sees, plus its topic, source and objectives; not
 * id or status, and not `verified`, so re-checking facts that still hold makes no new version.
 */
export function questionContent(question: BankQuestion): Record<string, unknown> {
  const { id: _id, status: _status, file: _file, verified: _verified, ...content } = question;
  return content;
}

export function contentHash(question: BankQuestion): string {
  return createHash('sha256')
    .update(canonicalJson(questionContent(question)))
    .digest('hex')
    .slice(0, 32);
}

/**
 * Makes the database match the bank: a new question gets version 1, an edited one a new version
 * (answers keep pointing at the version they were given), and a question that was retired or
 * removed from the files stops being drawn but keeps its history.
 */
export async function syncBank(handle: DatabaseHandle, bank: Bank, now = new Date()): Promise<SyncResult> {
  return handle.withAdvisoryLock(SYNC_LOCK, (db) =>
    db.transaction(async (tx) => {
      const existing = await tx
        .select({
          id: questions.id,
          currentVersion: questions.currentVersion,
          active: questions.active,
          hash: questionVersions.contentHash,
        })
        .from(questions)
        .innerJoin(
          questionVersions,
          sql`${questionVersions.questionId} = ${questions.id} and ${questionVersions.version} = ${questions.currentVersion}`,
        );
      const byId = new Map(existing.map((row) => [row.id, row]));
      const result: SyncResult = { added: 0, changed: 0, retired: 0, reactivated: 0, unchanged: 0 };
      const newQuestions: (typeof questions.$inferInsert)[] = [];
      const newVersions: (typeof questionVersions.$inferInsert)[] = [];

      for (const question of bank.questions) {
        const hash = contentHash(question);
        const active = question.status === 'active';
        const row = byId.get(question.id);
        byId.delete(question.id);
        const columns = {
          topic: question.topic,
          domain: question.domain,
          type: question.type,
          difficulty: question.difficulty,
        };
        if (!row) {
          newQuestions.push({ id: question.id, currentVersion: 1, active, updatedAt: now, ...columns });
          newVersions.push({
            questionId: question.id,
            version: 1,
            contentHash: hash,
            content: questionContent(question),
            createdAt: now,
            ...columns,
          });
          result.added++;
          continue;
        }
        if (row.hash !== hash) {
          const version = row.currentVersion + 1;
          newVersions.push({
            questionId: question.id,
            version,
            contentHash: hash,
            content: questionContent(question),
            createdAt: now,
            ...columns,
          });
          await tx
            .update(questions)
            .set({ currentVersion: version, active, updatedAt: now, ...columns })
            .where(eq(questions.id, question.id));
          result.changed++;
          if (row.active && !active) result.retired++;
          if (!row.active && active) result.reactivated++;
          continue;
        }
        if (row.active !== active) {
          await tx.update(questions).set({ active, updatedAt: now }).where(eq(questions.id, question.id));
          if (active) result.reactivated++;
          else result.retired++;
          continue;
        }
        result.unchanged++;
      }

      // Questions deleted from the files: retire them, keep their versions and answers.
      for (const row of byId.values()) {
        if (!row.active) continue;
        await tx.update(questions).set({ active: false, updatedAt: now }).where(eq(questions.id, row.id));
        result.retired++;
      }

      // Parents first: versions reference their question row.
      for (const batch of chunks(newQuestions, 200)) await tx.insert(questions).values(batch);
      for (const batch of chunks(newVersions, 200)) await tx.insert(questionVersions).values(batch);
      return result;
    }),
  );
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** JSON with object keys sorted at every level, so equal content always hashes the same. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
