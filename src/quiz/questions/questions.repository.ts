import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { questions, questionVersions } from '../../db/schema.js';
import { notPausedByReports } from '../../insight/reports.repository.js';
import { type Question, questionFromContent } from '../question.js';

/** A question that can be drawn, at its current version. */
export interface PoolQuestion {
  id: string;
  version: number;
  topic: string;
  domain: number;
}

/** A question as asked: one version of it. */
export interface QuestionRef {
  questionId: string;
  questionVersion: number;
}

/** The key a question version goes by in maps: `id@version`. */
export function versionKey(ref: QuestionRef): string {
  return `${ref.questionId}@${ref.questionVersion}`;
}

/** The question bank as synced into the database: questions and their immutable versions. */
export function createQuestionsRepository(db: Database) {
  return {
    /** Every active question at its current version, less those paused by reports: what can be drawn. */
    async activePool(): Promise<PoolQuestion[]> {
      return db
        .select({
          id: questions.id,
          version: questions.currentVersion,
          topic: questions.topic,
          domain: questions.domain,
        })
        .from(questions)
        .where(and(eq(questions.active, true), notPausedByReports(questions.id)))
        .orderBy(asc(questions.id));
    },

    /** Loads many question versions in one query, keyed by versionKey. */
    async loadVersions(wanted: QuestionRef[]): Promise<Map<string, Question>> {
      const found = new Map<string, Question>();
      if (wanted.length === 0) return found;
      const rows = await db
        .select({
          id: questionVersions.questionId,
          version: questionVersions.version,
          content: questionVersions.content,
        })
        .from(questionVersions)
        .where(
          wanted.length === 1
            ? and(
                eq(questionVersions.questionId, (wanted[0] as QuestionRef).questionId),
                eq(questionVersions.version, (wanted[0] as QuestionRef).questionVersion),
              )
            : inArray(questionVersions.questionId, [...new Set(wanted.map((w) => w.questionId))]),
        );
      const keys = new Set(wanted.map(versionKey));
      for (const row of rows) {
        const key = versionKey({ questionId: row.id, questionVersion: row.version });
        if (keys.has(key)) found.set(key, questionFromContent(row.id, row.version, row.content));
      }
      return found;
    },
  };
}

export type QuestionsRepository = ReturnType<typeof createQuestionsRepository>;
