import { PassThrough } from 'node:stream';
import { sql } from 'drizzle-orm';
import stringWidth from 'string-width';
import { afterEach, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { runLocalChannel } from '../../src/platforms/local/local-channel.js';
import { correctChoice, describeChoice, presentQuestion } from '../../src/quiz/question.js';
import { createTestQuiz } from '../support/quiz.js';

type TestQuiz = Awaited<ReturnType<typeof createTestQuiz>>;
let t: TestQuiz | undefined;
afterEach(async () => {
  await t?.destroy();
  t = undefined;
});

/** Drives the local channel like a person at a terminal: type a line, read what appears. */
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
    /** Types a line and waits for the prompt that follows its answer. */
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

describe('the local terminal channel', () => {
  it('posts the question of the day at once, takes a typed answer, and answers stats and leaderboard', async () => {
    t = await createTestQuiz({ now: '2026-11-02T10:00:00Z' });
    const term = terminal();
    const done = runLocalChannel({ quiz: t.quiz, input: term.input, output: term.output, userName: 'ada' });
    await term.waitFor('\n> ');
    expect(term.screen()).toContain('Question of the day · 2026-11-02');

    const settings = await t.quiz.channelSettings({
      platform: 'local',
      workspaceId: 'local',
      channelId: 'local',
    });
    const open = await t.quiz.openPostOf(settings!.channelId);
    const daily = await t.quiz.getDailyPost(open!.id);
    const presentation = presentQuestion(daily!.question);
    const answer = describeChoice(presentation, correctChoice(daily!.question))
      .replaceAll('→', ' ')
      .replace(/\d-/g, '');

    const feedback = await term.type(answer);
    expect(feedback).toContain('Correct!');
    expect(feedback).toMatch(/\+\d+ points · streak 1/);

    await term.type('today');
    const again = await term.type(`/aif-quiz ${answer}`);
    expect(again).toContain('You already answered');

    expect(await term.type('stats')).toContain('Answered 1 · correct 1 (100%)');
    expect(await term.type('/aif-quiz leaderboard')).toMatch(/1\. ada\s+\d+ pts {2}1\/1 correct/);
    expect(await term.type('leaderbord')).toContain('Did you mean "leaderboard"?');

    const practice = await term.type('practice');
    expect(practice).toContain('Practice');
    expect(await term.type('J')).toContain('There is no option J');

    term.input.write('quit\n');
    await done;
    expect(term.screen()).toContain('Bye. Your answers are saved.');
  });

  it('keeps the channel subscribed for the scheduler and shows its settings', async () => {
    t = await createTestQuiz();
    const term = terminal();
    const done = runLocalChannel({ quiz: t.quiz, input: term.input, output: term.output, userName: 'ada' });
    await term.waitFor('\n> ');
    expect(await term.type('settings')).toContain('Question of the day at 09:00 (UTC), every day');
    expect(await term.type('forget-me')).toContain('forget-me confirm');
    term.input.end();
    await done;
  });
});

/** Opens the local channel on a fresh quiz and returns the terminal and today's question. */
async function openChannel(options: { now?: string; columns?: number } = {}) {
  t = await createTestQuiz({ now: options.now ?? '2026-11-02T10:00:00Z' });
  const quiz = t.quiz;
  const term = terminal();
  const done = runLocalChannel({
    quiz,
    input: term.input,
    output: term.output,
    userName: 'ada',
    ...(options.columns ? { columns: options.columns } : {}),
  });
  await term.waitFor('\n> ');
  const settings = await quiz.channelSettings({
    platform: 'local',
    workspaceId: 'local',
    channelId: 'local',
  });
  const open = await quiz.openPostOf(settings!.channelId);
  const daily = (await quiz.getDailyPost(open!.id))!;
  const rightAnswer = describeChoice(presentQuestion(daily.question), correctChoice(daily.question))
    .replaceAll('→', ' ')
    .replace(/\d-/g, '');
  return { term, done, daily, rightAnswer, quiz };
}

/** Asks for practice on a topic until the question shown is of the wanted kind (bounded). */
async function practiseUntil(term: ReturnType<typeof terminal>, topic: string, shown: RegExp) {
  for (let i = 0; i < 20; i++) {
    const practice = await term.type(`topic ${topic}`);
    if (shown.test(practice)) return practice;
  }
  throw new Error(`no practice question on ${topic} matched ${shown}`);
}

describe('the local terminal channel reads answers as people type them', () => {
  it.each([
    ['b)', 'B'],
    ['c.', 'C'],
    ['answer is B', 'B'],
    ['B.', 'B'],
    ['(a)', 'A'],
  ])('%j answers the waiting question with %s', async (typed, letter) => {
    const { term, done } = await openChannel();
    await practiseUntil(term, 'fairness', /Practice/);
    const feedback = await term.type(typed);
    expect(feedback).toContain(`You answered ${letter}.`);
    expect(feedback).not.toContain("I don't know");
    term.input.end();
    await done;
  });

  it('a line that is neither an answer nor a command, while a question waits, says how to answer', async () => {
    const { term, done } = await openChannel();
    await practiseUntil(term, 'fairness', /Practice/);
    const reply = await term.type('the second one');
    expect(reply).toContain('just the letter, e.g. B');
    expect(reply).not.toContain("I don't know");
    // The question still waits: a letter now answers it.
    expect(await term.type('B')).toContain('You answered B.');
    term.input.end();
    await done;
  });

  it('a matching answer that leaves items out says how many were matched, and feedback marks each pair', async () => {
    const { term, done } = await openChannel();
    await practiseUntil(term, 'learning-types', /Answers:/);
    const partial = await term.type('1C 2B');
    expect(partial).toContain('You matched 2 of 3 items');
    expect(partial).not.toContain('There is no option');
    const feedback = await term.type('1A 2B 3C');
    expect(feedback).toMatch(/\d of 3 pairs right/);
    expect(feedback).toMatch(/[✓✗] 1\. /);
    expect(feedback).toMatch(/[✓✗] 3\. /);
    term.input.end();
    await done;
  });

  it('a stray letter after a finished practice question records nothing and repeats nothing', async () => {
    const { term, done, daily, quiz } = await openChannel();
    await practiseUntil(term, 'fairness', /Practice/);
    await term.type('A');
    const stray = await term.type('B');
    expect(stray).toContain('Nothing is waiting for an answer');
    expect(stray).not.toContain('The right answer');
    expect(stray).not.toContain('You already answered');
    expect(stray.trim().split('\n').length).toBeLessThanOrEqual(4);
    expect((await quiz.getDailyPost(daily.post.id))?.answered).toBe(0);
    term.input.end();
    await done;
  });

  it('a long unknown line is quoted briefly, not echoed in full', async () => {
    const { term, done } = await openChannel();
    const reply = await term.type(`${'blah'.repeat(300)} and more`);
    expect(reply).toContain('…');
    expect(reply.length).toBeLessThan(300);
    term.input.end();
    await done;
  });
});

describe('the local terminal channel lays text out for the terminal', () => {
  it('wraps at word boundaries to the terminal width', async () => {
    const { term, done, daily } = await openChannel({ columns: 40 });
    await term.type('help');
    const lines = term.screen().split('\n');
    for (const line of lines) expect(stringWidth(line), line).toBeLessThanOrEqual(40);
    const flat = term.screen().replace(/\s+/g, ' ');
    expect(flat).toContain(daily.question.stem.replace(/\s+/g, ' '));
    term.input.end();
    await done;
  });

  it("shows the close time in the channel's timezone after the channel moves", async () => {
    const { term, done } = await openChannel({ now: '2026-11-02T10:00:00Z' });
    expect(term.screen()).toContain('closes 2026-11-03 09:00 UTC');
    await term.type('subscribe 09:00 Europe/Paris daily');
    expect(await term.type('today')).toContain('closes 2026-11-03 10:00 Europe/Paris');
    term.input.end();
    await done;
  });
});

describe('the local terminal channel after forget-me', () => {
  it('an open question answered before forget-me does not score again', async () => {
    const { term, done, rightAnswer } = await openChannel();
    expect(await term.type(rightAnswer)).toMatch(/\+\d+ points/);
    expect(await term.type('forget-me confirm')).toContain('erased');
    await term.type('today');
    const again = await term.type(rightAnswer);
    expect(again).toContain('your first answer is the one that counts');
    expect(again).not.toMatch(/\+\d+ points/);
    expect(await term.type('stats')).toContain('No answers yet');
    term.input.end();
    await done;
  });
});

describe('the local terminal channel reports questions', () => {
  const reportsOf = (questionId: string) =>
    queryRows<{ reason: string; text: string | null; version: number }>(
      t!.database.handle.db,
      sql`select reason, text, question_version as version from question_reports
           where question_id = ${questionId} order by created_at`,
    );

  it('"report unclear typo in B" reports the question shown, once, and thanks you', async () => {
    const { term, done, daily } = await openChannel();
    expect(await term.type('report unclear typo in B')).toContain('Thanks for the report');
    expect(await reportsOf(daily.question.id)).toEqual([
      { reason: 'unclear', text: 'typo in B', version: daily.question.version },
    ]);
    expect(await term.type('report typo')).toContain('You have already reported this question');
    expect(await reportsOf(daily.question.id)).toHaveLength(1);
    term.input.end();
    await done;
  });

  it('an unknown reason is answered with the valid ones, and "report" alone says how', async () => {
    const { term, done, daily } = await openChannel();
    expect(await term.type('report boring')).toContain(
      '"boring" is not a reason for a report; use one of: wrong answer, outdated, unclear, typo, other.',
    );
    expect(await term.type('report')).toContain(
      '"report <reason> [what is wrong]" reports the last question',
    );
    expect(await reportsOf(daily.question.id)).toEqual([]);
    term.input.end();
    await done;
  });

  it('reports the last question shown even once it is answered, and help says how', async () => {
    const { term, done } = await openChannel();
    const practice = await practiseUntil(term, 'fairness', /Practice/);
    await term.type('A');
    expect(await term.type('report wrong answer B is right too')).toContain('Thanks for the report');
    const [row] = await queryRows<{ questionId: string; reason: string; text: string }>(
      t!.database.handle.db,
      sql`select question_id as "questionId", reason, text from question_reports`,
    );
    expect(row).toMatchObject({ reason: 'wrong_answer', text: 'B is right too' });
    expect(row?.questionId).toMatch(/^fairness-/);
    expect(practice).toContain('Practice');
    const help = await term.type('help');
    expect(help).toContain('Choose "Report a problem" on it');
    expect(help).toContain('"report <reason> [what is wrong]"');
    term.input.end();
    await done;
  });
});
