import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { admin, channelKey, createTestQuiz, person, practise } from '../support/quiz.js';

// Practice, review and reminders answer privately, with the right answer in the feedback: a question
// some channel of the person's workspace has open as its question of the day must wait for its reveal.

type TestQuiz = Awaited<ReturnType<typeof createTestQuiz>>;
let t: TestQuiz | undefined;
afterEach(async () => {
  await t?.destroy();
  t = undefined;
});

const DAY = 86_400_000;

/** Makes `questionId` the open question of the day of channel `channelId` (of workspace W1). */
async function openAsDaily(channelId: string, questionId: string, localDate = '2026-11-04') {
  await t!.quiz.subscribe(admin, channelKey(channelId), { time: '09:00', days: 'daily' });
  const [post] = await queryRows<{ id: string }>(
    t!.database.handle.db,
    sql`insert into posts (channel_id, local_date, question_id, question_version, status)
        select c.id, ${localDate}, q.id, q.current_version, 'open'
        from channels c, questions q where c.external_id = ${channelId} and q.id = ${questionId}
        returning id`,
  );
  if (!post) throw new Error(`no post made for ${questionId} in ${channelId}`);
  return post.id;
}

describe('practice leaves out the open question of the day', () => {
  it('a due mistake open in a channel waits for the reveal: practice, topic, review and reminder give another', async () => {
    t = await createTestQuiz({ now: '2026-11-02T09:00:00Z' });
    const learner = person('U1');
    const missed = await practise(t!.quiz, learner, false, 'access');
    t.clock.advance(2 * DAY);
    const postId = await openAsDaily('C1', missed.question.id);

    const next = await t.quiz.practice(learner);
    expect(next.question.id).not.toBe(missed.question.id);
    expect(next.reason).not.toBe('due');
    for (let i = 0; i < 4; i++) {
      const onTopic = await t.quiz.practice(learner, 'access');
      expect(onTopic.question.id).not.toBe(missed.question.id);
      expect(onTopic.question.topic).toBe('access');
    }
    const reminder = await t.quiz.reminderFor(await t.quiz.userIdOf(learner));
    expect(reminder?.practice.question.id).toBeDefined();
    expect(reminder?.practice.question.id).not.toBe(missed.question.id);
    // The only mistake is the open question: review says so, rather than "no mistakes".
    await expect(t.quiz.review(learner)).rejects.toThrow(
      'Your mistakes to review are open as a question of the day right now.',
    );

    // Revealed, it is due for review again, and review hands it out.
    await t.quiz.closePost(postId);
    const due = await t.quiz.practice(learner);
    expect(due.question.id).toBe(missed.question.id);
    expect(due.reason).toBe('due');
    expect((await t.quiz.review(learner))?.question.id).toBe(missed.question.id);
  });

  it('a channel of another workspace does not hold the question back', async () => {
    t = await createTestQuiz({ now: '2026-11-02T09:00:00Z' });
    const learner = person('U1');
    const missed = await practise(t!.quiz, learner, false, 'access');
    t.clock.advance(2 * DAY);
    await t.quiz.subscribe(
      { platform: 'local', workspaceId: 'W2', userId: 'UADMIN', userName: 'Ada' },
      { platform: 'local', workspaceId: 'W2', channelId: 'C2', channelName: 'c2' },
      { time: '09:00', days: 'daily' },
    );
    await t.database.handle.db.execute(
      sql`insert into posts (channel_id, local_date, question_id, question_version, status)
          select c.id, '2026-11-04', q.id, q.current_version, 'open'
          from channels c, questions q where c.external_id = 'C2' and q.id = ${missed.question.id}`,
    );
    expect((await t.quiz.practice(learner)).question.id).toBe(missed.question.id);
  });

  it('when every candidate is open, practice and topic say so plainly and no reminder is sent', async () => {
    t = await createTestQuiz({ now: '2026-11-02T09:00:00Z' });
    const learner = person('U1');
    const access = t.bank.questions.filter((q) => q.topic === 'access').map((q) => q.id);
    expect(access.length).toBeGreaterThan(1);
    // Each access question is open in a channel of its own (a question claimed but not yet posted
    // counts too).
    for (const [i, id] of access.entries()) await openAsDaily(`CA${i}`, id);
    await t.database.handle.db.execute(
      sql`update posts set status = 'pending' where question_id = ${access[0]}`,
    );
    await expect(t.quiz.practice(learner, 'access')).rejects.toThrow(
      'Every question on that topic is open as a question of the day right now.',
    );
    // A claim never delivered in a day (the bot removed from that channel) holds nothing back.
    const db = t.database.handle.db;
    await db.execute(
      sql`update posts set created_at = now() - interval '25 hours' where question_id = ${access[0]}`,
    );
    expect((await t.quiz.practice(learner, 'access')).question.id).toBe(access[0]);
    await db.execute(sql`update posts set created_at = now() where question_id = ${access[0]}`);

    // Every question of the bank open somewhere in the workspace: nothing at all to practise.
    const rest = t.bank.questions.map((q) => q.id).filter((id) => !access.includes(id));
    for (const [i, id] of rest.entries()) await openAsDaily('CALL', id, `2026-10-${String(10 + i)}`);
    await expect(t.quiz.practice(learner)).rejects.toThrow(
      'Every question left to practise is open as a question of the day right now.',
    );
    expect(await t.quiz.reminderFor(await t.quiz.userIdOf(learner))).toBeUndefined();
  });
});
