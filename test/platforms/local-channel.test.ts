import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
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
