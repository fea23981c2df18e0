import { sql } from 'drizzle-orm';
import { type Database, queryRows } from '../../src/db/client.js';
import { correctChoice, describeChoice, presentQuestion, type Question } from '../../src/quiz/question.js';

export { wrongChoice } from './choices.js';

/**
 * The question in front of someone in their running mock exam, read from the database. `user` is
 * the person's id on their platform, when several people have an exam running.
 */
export async function currentMockItem(
  db: Database,
  user?: string,
): Promise<{ mockId: string; position: number; question: Question }> {
  const [row] = await queryRows<{
    mock_id: string;
    position: number;
    question_id: string;
    question_version: number;
    content: unknown;
  }>(
    db,
    sql`select i.mock_id, i.position, i.question_id, i.question_version, v.content
        from mock_exams m join mock_exam_items i on i.mock_id = m.id and i.position = m.position
        join question_versions v on v.question_id = i.question_id and v.version = i.question_version
        join users u on u.id = m.user_id
        where m.status = 'running' and (${user ?? null}::text is null or u.external_id = ${user ?? null})
        order by m.started_at desc limit 1`,
  );
  if (!row) throw new Error('no mock exam is running');
  return {
    mockId: row.mock_id,
    position: Number(row.position),
    question: {
      ...(row.content as object),
      id: row.question_id,
      version: Number(row.question_version),
    } as Question,
  };
}

/** The item types of a mock exam's questions, one per question. */
export async function mockItemTypes(db: Database, mockId: string): Promise<string[]> {
  const rows = await queryRows<{ type: string }>(
    db,
    sql`select v.content->>'type' as type from mock_exam_items i
        join question_versions v on v.question_id = i.question_id and v.version = i.question_version
        where i.mock_id = ${mockId} order by i.position`,
  );
  return rows.map((r) => r.type);
}

/** What to type for the right answer: `B`, `A, C`, `C A B D`, `B A C` (matching, prompt 1 first). */
export function typedRightAnswer(question: Question): string {
  return describeChoice(presentQuestion(question), correctChoice(question))
    .replaceAll('→', ' ')
    .replace(/\d-/g, '');
}
