import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadBank } from '../../src/bank/load.js';
import { syncBank } from '../../src/bank/sync.js';
import {
  answers,
  channels,
  posts,
  questions,
  questionVersions,
  users,
  workspaces,
} from '../../src/db/schema.js';
import { ROOT } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

let test: TestDatabase;
let dir: string;

// Each test syncs into a database and a copy of the bank of its own, so it runs alone or in any order.
beforeEach(async () => {
  test = await createTestDatabase();
  dir = await mkdtemp(path.join(tmpdir(), 'aifq-bank-'));
  await cp(path.join(ROOT, 'test/fixtures/mini-bank'), dir, { recursive: true });
});

afterEach(async () => {
  await test.destroy();
  await rm(dir, { recursive: true, force: true });
});

/** The bank as it is in the files, synced once: what a test about a later sync starts from. */
async function givenSyncedBank() {
  expect(await syncBank(test.handle, await loadBank(dir))).toMatchObject({ added: 10 });
}

async function editFile(relative: string, edit: (text: string) => string) {
  const file = path.join(dir, relative);
  await writeFile(file, edit(await readFile(file, 'utf8')));
}

describe('syncing the bank into the database', () => {
  it('adds every question once, and a second sync changes nothing', async () => {
    const first = await syncBank(test.handle, await loadBank(dir));
    expect(first).toEqual({ added: 10, changed: 0, retired: 0, reactivated: 0, unchanged: 0 });
    const again = await syncBank(test.handle, await loadBank(dir));
    expect(again).toEqual({ added: 0, changed: 0, retired: 0, reactivated: 0, unchanged: 10 });
    const retired = await test.handle.db.select().from(questions).where(eq(questions.id, 'fairness-002'));
    expect(retired[0]?.active).toBe(false);
  });

  it('editing one question makes exactly one new version, and earlier answers keep the old one', async () => {
    await givenSyncedBank();
    const db = test.handle.db;
    const [ws] = await db.insert(workspaces).values({ platform: 'local', externalId: 'local' }).returning();
    const [channel] = await db
      .insert(channels)
      .values({ workspaceId: ws!.id, externalId: 'C1', active: true })
      .returning();
    const [user] = await db.insert(users).values({ workspaceId: ws!.id, externalId: 'U1' }).returning();
    const [post] = await db
      .insert(posts)
      .values({
        channelId: channel!.id,
        localDate: '2026-11-02',
        questionId: 'retrieval-002',
        questionVersion: 1,
        status: 'closed',
      })
      .returning();
    await db
      .insert(answers)
      .values({ postId: post!.id, userId: user!.id, choice: [1], correct: true, answeredAt: new Date() });

    await editFile('domain-3/retrieval.yaml', (text) =>
      text.replace('with the least retraining', 'with the least model retraining'),
    );
    const result = await syncBank(test.handle, await loadBank(dir));
    expect(result).toEqual({ added: 0, changed: 1, retired: 0, reactivated: 0, unchanged: 9 });

    const versions = await db
      .select()
      .from(questionVersions)
      .where(eq(questionVersions.questionId, 'retrieval-002'));
    expect(versions.map((v) => v.version).sort()).toEqual([1, 2]);
    const [current] = await db.select().from(questions).where(eq(questions.id, 'retrieval-002'));
    expect(current?.currentVersion).toBe(2);

    const [asked] = await db
      .select({ stem: questionVersions.content })
      .from(posts)
      .innerJoin(
        questionVersions,
        and(
          eq(questionVersions.questionId, posts.questionId),
          eq(questionVersions.version, posts.questionVersion),
        ),
      )
      .where(eq(posts.id, post!.id));
    expect((asked?.stem as { stem: string } | undefined)?.stem).toContain('with the least retraining');
  });

  it('a question removed from the files is retired but keeps its history', async () => {
    await givenSyncedBank();
    await editFile('domain-5/access.yaml', (text) => text.slice(0, text.indexOf('  - id: access-002')));
    const result = await syncBank(test.handle, await loadBank(dir));
    expect(result.retired).toBe(1);
    const [row] = await test.handle.db.select().from(questions).where(eq(questions.id, 'access-002'));
    expect(row?.active).toBe(false);
    const versions = await test.handle.db
      .select()
      .from(questionVersions)
      .where(eq(questionVersions.questionId, 'access-002'));
    expect(versions).toHaveLength(1);
  });

  it('setting a retired question back to active draws it again without a new version', async () => {
    await givenSyncedBank();
    await editFile('domain-4/fairness.yaml', (text) => text.replace('status: retired', 'status: active'));
    const result = await syncBank(test.handle, await loadBank(dir));
    expect(result).toMatchObject({ reactivated: 1, changed: 0 });
  });

  it('re-checking facts (a new verified date) makes no new version, but re-tagging the objective does', async () => {
    await givenSyncedBank();
    await cp(path.join(ROOT, 'test/fixtures/tagged-bank/exam-guide.yaml'), path.join(dir, 'exam-guide.yaml'));
    const tag = (verified: string, objective: string) => (text: string) =>
      text.replace(
        /( {2}- id: learning-types-001\n)(?: {4}objective: .*\n {4}verified: .*\n)?/,
        `$1    objective: '${objective}'\n    verified: ${verified}\n`,
      );
    await editFile('domain-1/learning-types.yaml', tag('2026-06-01', '1.1.1'));
    expect(await syncBank(test.handle, await loadBank(dir))).toMatchObject({ changed: 1 });
    await editFile('domain-1/learning-types.yaml', tag('2026-12-01', '1.1.1'));
    expect(await syncBank(test.handle, await loadBank(dir))).toMatchObject({ changed: 0 });
    await editFile('domain-1/learning-types.yaml', tag('2026-12-01', '1.1.2'));
    expect(await syncBank(test.handle, await loadBank(dir))).toMatchObject({ changed: 1 });
  });
});
