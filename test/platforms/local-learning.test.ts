import { PassThrough } from 'node:stream';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { runLocalChannel } from '../../src/platforms/local/local-channel.js';
import { correctChoice, describeChoice, presentQuestion } from '../../src/quiz/question.js';
import { wrongChoice } from '../support/choices.js';
import { createTestQuiz } from '../support/quiz.js';

// The study coach in the terminal channel: cards, the `sure`/`guess` tap, practice reasons, review,
// the exam date and stats, typed as a person would.

type TestQuiz = Awaited<ReturnType<typeof createTestQuiz>>;
let t: TestQuiz | undefined;
afterEach(async () => {
  await t?.destroy();
  t = undefined;
});

function terminal() {
  const input = new PassThrough();
  const output = new PassThrough();
  let screen = '';
  output.on('data', (chunk: Buffer) => {
    screen += chunk.toString();
  });
  return {
    input,
    output,
    screen: () => screen,
    async type(line: string): Promise<string> {
      const before = screen.length;
      input.write(`${line}\n`);
      for (let i = 0; i < 400; i++) {
        const added = screen.slice(before);
        if (added.endsWith('\n> ')) return added;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      throw new Error(`no prompt after "${line}":\n${screen.slice(before)}`);
    },
    async waitFor(text: string): Promise<void> {
      for (let i = 0; i < 400 && !screen.includes(text); i++)
        await new Promise((resolve) => setTimeout(resolve, 10));
      if (!screen.includes(text)) throw new Error(`"${text}" never appeared:\n${screen}`);
    },
  };
}

/** Opens the terminal channel for "ada" and waits for its prompt; returns the open question of the day. */
async function openTerminal() {
  const term = terminal();
  const done = runLocalChannel({ quiz: t!.quiz, input: term.input, output: term.output, userName: 'ada' });
  await term.waitFor('\n> ');
  const settings = await t!.quiz.channelSettings({
    platform: 'local',
    workspaceId: 'local',
    channelId: 'local',
  });
  const post = (await t!.quiz.openPostOf(settings!.channelId))!;
  return { term, done, post };
}

describe('the local terminal channel as a study coach', () => {
  it('an answer makes a card, "guess" marks it, and exam, practice, review and stats answer', async () => {
    t = await createTestQuiz({ now: '2026-11-02T10:00:00Z' });
    const { term, done, post } = await openTerminal();
    const daily = (await t.quiz.getDailyPost(post.id))!;
    const answer = describeChoice(presentQuestion(daily.question), correctChoice(daily.question))
      .replaceAll('→', ' ')
      .replace(/\d-/g, '');

    expect(await term.type('sure')).toContain('Nothing to mark');
    const feedback = await term.type(answer);
    expect(feedback).toContain('Correct!');
    expect(feedback).toContain('Type "sure" or "guess"');
    expect(await term.type('guess')).toContain('Noted: a guess');
    expect(await term.type('sure')).toContain(
      'That answer is already marked as a guess; it keeps that mark.',
    );
    const userId = await t.quiz.userIdOf({ platform: 'local', workspaceId: 'local', userId: 'ada' });
    const reviews = await queryRows<{ question_id: string; source: string; sure: boolean | null }>(
      t.database.handle.db,
      sql`select question_id, source, sure from learning_reviews where user_id = ${userId}`,
    );
    expect(reviews).toEqual([{ question_id: daily.question.id, source: 'daily', sure: false }]);

    expect(await term.type('practice')).toContain(' · new');
    expect(await term.type('review')).toContain('No mistakes to review');
    expect(await term.type('exam tomorrow')).toContain('"tomorrow" is not a date I can read');
    expect(await term.type('exam 2020-01-01')).toContain('has already passed');
    expect(await term.type('exam 2026-12-02')).toContain('Exam date set: 2026-12-02, 30 days from today.');
    const stats = await term.type('stats');
    expect(stats).toContain('Readiness: not enough answers yet for a verdict (1 so far)');
    expect(stats).toContain('Coverage: 1 of 9 questions seen');
    expect(stats).toContain('Accuracy, last four weeks: – → – → – → 100% of 1 (this week)');
    expect(stats).toContain('Exam on 2026-12-02: 30 days to go');

    term.input.write('quit\n');
    await done;
  });

  it('the open question of the day is not handed out again in private before its reveal, even as a mistake to review', async () => {
    t = await createTestQuiz({ now: '2026-11-02T10:00:00Z' });
    const { term, done, post } = await openTerminal();
    const daily = (await t.quiz.getDailyPost(post.id))!.question;
    const wrong = describeChoice(presentQuestion(daily), wrongChoice(daily))
      .replaceAll('→', ' ')
      .replace(/\d-/g, '');
    expect(await term.type(wrong)).toContain('Not quite');

    // Missed, it is a mistake to review, but its channel has not revealed the answer yet.
    expect(await term.type('review')).toContain(
      'Your mistakes to review are open as a question of the day right now.',
    );
    for (let i = 0; i < 3; i++) expect(await term.type(`topic ${daily.topic}`)).not.toContain(daily.stem);
    for (let i = 0; i < 3; i++) expect(await term.type('practice')).not.toContain(daily.stem);

    await t.quiz.closePost(post.id);
    const review = await term.type('review');
    expect(review).toContain('Review a mistake');
    expect(review).toContain(daily.stem);

    term.input.write('quit\n');
    await done;
  });
});
