import { sql } from 'drizzle-orm';
import { type Database, queryRows } from '../../src/db/client.js';
import type { LearningQuestion } from '../../src/learning/cards.repository.js';

/** A single-answer question whose right option is `right` (text), at `version`. */
export function singleQuestion(
  id: string,
  options: { topic?: string; domain?: number; version?: number; right?: string } = {},
): LearningQuestion & { type: 'single'; options: Array<{ text: string; correct: boolean }> } {
  const right = options.right ?? `right answer of ${id}`;
  return {
    id,
    version: options.version ?? 1,
    topic: options.topic ?? 'rag',
    domain: options.domain ?? 3,
    type: 'single' as const,
    options: [
      { text: right, correct: true },
      { text: 'wrong one', correct: false },
      { text: 'wrong two', correct: false },
      { text: 'wrong three', correct: false },
    ],
  };
}

/** Stores questions (each version given becomes the current one), as the bank sync would. */
export async function storeQuestions(db: Database, list: LearningQuestion[]): Promise<void> {
  for (const q of list) {
    const { id, version, topic, domain, ...content } = q;
    await db.execute(sql`
      insert into questions (id, current_version, topic, domain, type, difficulty, active)
      values (${id}, ${version}, ${topic}, ${domain}, ${q.type}, 2, true)
      on conflict (id) do update set current_version = excluded.current_version, topic = excluded.topic,
        domain = excluded.domain`);
    await db.execute(sql`
      insert into question_versions (question_id, version, content_hash, topic, domain, type, difficulty, content)
      values (${id}, ${version}, ${`${id}@${version}`}, ${topic}, ${domain}, ${q.type}, 2,
              ${JSON.stringify({ stem: `Stem of ${id}`, ...content })}::jsonb)`);
  }
}

/** Makes `count` people in one local workspace and returns their ids. */
export async function storePeople(db: Database, count: number, prefix = 'U'): Promise<string[]> {
  const rows = await queryRows<{ id: string }>(
    db,
    sql`with w as (
          insert into workspaces (platform, external_id) values ('local', ${`W-${prefix}`})
          on conflict (platform, external_id) do update set name = excluded.name returning id)
        insert into users (workspace_id, external_id)
        select w.id, ${prefix} || n from w, generate_series(1, ${count}) n
        returning id`,
  );
  return rows.map((r) => r.id);
}
