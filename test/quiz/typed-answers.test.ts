import { describe, expect, it } from 'vitest';
import type { QuestionOption } from '../../src/bank/schema.js';
import {
  correctChoice,
  looksLikeTypedAnswer,
  markChoice,
  parseTypedAnswer,
  presentQuestion,
  type Question,
} from '../../src/quiz/question.js';
import { renderFeedbackText } from '../../src/quiz/render-text.js';

const base = { version: 1, topic: 't', domain: 1, difficulty: 1 as const, explanation: 'E.', source: 's' };
const option = (text: string, correct = false): QuestionOption =>
  ({ text, why: `why ${text}`, ...(correct ? { correct: true } : {}) }) as QuestionOption;
const single: Question = {
  ...base,
  id: 'single-1',
  type: 'single',
  stem: 'Which?',
  options: [option('one'), option('two', true), option('three'), option('four')],
};
const multiple: Question = {
  ...base,
  id: 'multiple-1',
  type: 'multiple',
  stem: 'Which two?',
  options: [option('one', true), option('two'), option('three', true), option('four')],
};
const matching: Question = {
  ...base,
  id: 'matching-1',
  type: 'matching',
  stem: 'Match them.',
  pairs: [
    { prompt: 'cat', answer: 'meow' },
    { prompt: 'dog', answer: 'woof' },
    { prompt: 'cow', answer: 'moo' },
    { prompt: 'duck', answer: 'quack' },
  ],
};

describe('typed answers', () => {
  it.each([
    'b',
    'B',
    'b)',
    'B)',
    'b.',
    'B.',
    '(b)',
    'answer is B',
    'Answer: b',
    'my answer is b.',
    'I think B',
    'option B',
  ])('%j reads as the letter B', (typed) => {
    expect(looksLikeTypedAnswer(typed)).toBe(true);
    expect(parseTypedAnswer(presentQuestion(single), typed)).toEqual([1]);
  });

  it.each(['a) c)', 'A, C.', 'answers are A and C', 'a. c.'])('%j reads as A and C', (typed) => {
    expect(looksLikeTypedAnswer(typed)).toBe(true);
    expect(parseTypedAnswer(presentQuestion(multiple), typed)).toEqual([0, 2]);
  });

  it.each(['stats', 'help', 'practice', 'topic rag', 'leaderboard all', 'what is this', 'forget-me'])(
    '%j is not taken for an answer',
    (typed) => {
      expect(looksLikeTypedAnswer(typed)).toBe(false);
    },
  );

  it('a matching answer that leaves items out says how many were matched, not "no option"', () => {
    const presentation = presentQuestion(matching);
    const labels = correctChoice(matching).map(
      (answer) => presentation.items.find((item) => item.index === answer)?.label,
    );
    const typed = `1${labels[0]} 2${labels[1]}`;
    expect(() => parseTypedAnswer(presentation, typed)).toThrow(/You matched 2 of 4 items/);
    expect(() => parseTypedAnswer(presentation, typed)).not.toThrow(/no option/);
    expect(() => parseTypedAnswer(presentation, `${labels[0]} ${labels[1]}`)).toThrow(
      /You matched 2 of 4 items/,
    );
  });

  it('an unreadable answer is quoted briefly, however long it was', () => {
    const long = 'x'.repeat(800);
    let message = '';
    try {
      parseTypedAnswer(presentQuestion(single), long);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/could not read "x+…"/);
    expect(message.length).toBeLessThan(160);
  });
});

describe('feedback on a matching answer', () => {
  it('marks which pairs were right and which were not', () => {
    const choice = [1, 0, 2, 3]; // the first two swapped
    expect(markChoice(matching, choice)).toEqual([false, false, true, true]);
    const text = renderFeedbackText({
      outcome: 'recorded',
      question: matching,
      choice,
      correct: false,
      rightParts: markChoice(matching, choice),
    });
    expect(text).toContain('2 of 4 pairs right');
    expect(text).toMatch(/✗ 1\. cat → [A-D]\. woof/);
    expect(text).toMatch(/✓ 3\. cow → [A-D]\. moo/);
  });
});
