import { createHash } from 'node:crypto';
import type { QuestionOption } from '../bank/schema.js';
import { AppError } from '../errors.js';
import { quoteInput } from './quote.js';

/** A question exactly as one version of it was stored: what a learner is shown and graded against. */
export type Question = {
  id: string;
  version: number;
  topic: string;
  domain: number;
  difficulty: 1 | 2 | 3;
  stem: string;
  explanation: string;
  source: string;
  facet?: string;
} & (
  | { type: 'single'; options: QuestionOption[] }
  | { type: 'multiple'; options: QuestionOption[] }
  | { type: 'ordering'; steps: string[] }
  | { type: 'matching'; pairs: Array<{ prompt: string; answer: string }> }
);

export type QuestionType = Question['type'];

/**
 * What a person chose, as indexes into the stored question (never into the shuffled display):
 * single `[option]`; multiple the chosen options, ascending; ordering the step indexes in the order
 * given; matching, for each prompt in stored order, the index of the answer picked for it.
 */
export type Choice = number[];

/** A labelled item as shown to people: `A`, `B`… for options, steps and answers; `1`, `2`… for prompts. */
export interface ShownItem {
  label: string;
  text: string;
  /** Index of the item in the stored question. */
  index: number;
}

/** How a question is laid out on every platform, the same everywhere for the same version. */
export interface Presentation {
  question: Question;
  /** single/multiple: the options in stored order; ordering: the steps shuffled; matching: the answers shuffled. */
  items: ShownItem[];
  /** matching only: the prompts, in stored order. */
  prompts: ShownItem[];
  /** How many options to choose (multiple), positions to fill (ordering) or prompts to match (matching). */
  expected: number;
  /** One line telling how to answer by typing. */
  howToAnswer: string;
}

export const LETTERS = 'ABCDEFGHIJ';

export function presentQuestion(question: Question): Presentation {
  // Questions are never changed in place, and every reply about one (feedback after each click,
  // the reveal, count updates) presents it again: work it out once per question object.
  const known = presentations.get(question);
  if (known) return known;
  const presentation = present(question);
  presentations.set(question, presentation);
  return presentation;
}

const presentations = new WeakMap<Question, Presentation>();

function present(question: Question): Presentation {
  switch (question.type) {
    case 'single':
    case 'multiple': {
      const items = question.options.map((o, index) => ({
        label: LETTERS[index] ?? '?',
        text: o.text,
        index,
      }));
      const expected = question.type === 'single' ? 1 : correctIndexes(question).length;
      return {
        question,
        items,
        prompts: [],
        expected,
        howToAnswer:
          question.type === 'single'
            ? 'Answer with one letter'
            : `Choose ${expected}: type their letters separated by commas`,
      };
    }
    case 'ordering': {
      const order = shuffledIndexes(question.steps.length, `${question.id}@${question.version}`);
      const items = order.map((index, position) => ({
        label: LETTERS[position] ?? '?',
        text: question.steps[index] ?? '',
        index,
      }));
      return {
        question,
        items,
        prompts: [],
        expected: question.steps.length,
        // No example sequence: any concrete one could be the answer itself.
        howToAnswer: `Type all ${question.steps.length} letters in order, first step first, separated by spaces`,
      };
    }
    case 'matching': {
      const order = shuffledIndexes(question.pairs.length, `${question.id}@${question.version}`);
      const items = order.map((index, position) => ({
        label: LETTERS[position] ?? '?',
        text: question.pairs[index]?.answer ?? '',
        index,
      }));
      const prompts = question.pairs.map((p, index) => ({ label: String(index + 1), text: p.prompt, index }));
      return {
        question,
        items,
        prompts,
        expected: question.pairs.length,
        howToAnswer: `Type a letter for each numbered item, item 1 first, separated by spaces (or as 1A 2B …)`,
      };
    }
  }
}

export function correctIndexes(question: Question & { type: 'single' | 'multiple' }): number[] {
  return question.options.flatMap((o, i) => (o.correct ? [i] : []));
}

/** The right answer, in the same shape a choice has. */
export function correctChoice(question: Question): Choice {
  switch (question.type) {
    case 'single':
    case 'multiple':
      return correctIndexes(question);
    case 'ordering':
      return question.steps.map((_, i) => i);
    case 'matching':
      return question.pairs.map((_, i) => i);
  }
}

/**
 * Checks a choice is well-formed for the question: indexes in range, no repeats, the right count.
 * Returns it normalised (multiple-answer choices sorted). Throws `quiz.invalid_choice`.
 */
export function validateChoice(question: Question, choice: unknown): Choice {
  const size =
    question.type === 'ordering'
      ? question.steps.length
      : question.type === 'matching'
        ? question.pairs.length
        : question.options.length;
  const fail = (why: string): never => {
    throw new AppError('quiz.invalid_choice', why);
  };
  if (!Array.isArray(choice) || !choice.every((n) => Number.isInteger(n) && n >= 0 && n < size)) {
    return fail('That answer does not fit this question.');
  }
  const picked = choice as number[];
  if (new Set(picked).size !== picked.length) fail('Each choice can be used only once.');
  const expected = presentQuestion(question).expected;
  if (question.type === 'single' && picked.length !== 1) fail('Pick exactly one option.');
  if (question.type === 'multiple' && picked.length !== expected) fail(`Pick exactly ${expected} options.`);
  if ((question.type === 'ordering' || question.type === 'matching') && picked.length !== size) {
    fail(
      question.type === 'ordering'
        ? `You ordered ${picked.length} of ${size} steps; put all ${size} in order.`
        : `You matched ${picked.length} of ${size} items; match all ${size}.`,
    );
  }
  return question.type === 'multiple' ? [...picked].sort((a, b) => a - b) : [...picked];
}

export function isCorrect(question: Question, choice: Choice): boolean {
  const right = correctChoice(question);
  return right.length === choice.length && right.every((value, i) => value === choice[i]);
}

/**
 * For each part of a choice, in the choice's order, whether it was right: each picked option
 * (single, multiple), each position (ordering), each prompt's match (matching).
 */
export function markChoice(question: Question, choice: Choice): boolean[] {
  switch (question.type) {
    case 'single':
    case 'multiple':
      return choice.map((i) => question.options[i]?.correct === true);
    case 'ordering':
    case 'matching':
      // The right order and the right matches are the stored order.
      return choice.map((value, i) => value === i);
  }
}

// Words people put around a letter when they answer in a sentence: "answer is B", "I think B",
// "option B", "my answers are A and C".
const LEAD_IN =
  /^(?:i\s+(?:think|pick|choose|say|guess|go\s+(?:with|for))\s*:?\s*)?(?:(?:my|the)\s+)?(?:(?:answers?|options?|choices?)\s*(?:is|are|:|=|-)?\s*)?/i;

/**
 * A typed answer with what people commonly add around the letters taken away: `b)`, `c.`, `(a)`,
 * `B.`, `answer is B`, `A and C`. Numbered matching answers (`1C 2B`) pass through as they are.
 */
export function normaliseTypedAnswer(text: string): string {
  return text
    .trim()
    .replace(LEAD_IN, '')
    .replace(/\s+and\s+/gi, ', ')
    .replace(/\(\s*([A-J])\s*\)/gi, '$1')
    .replace(/([A-J])\s*[.):](?=[\s,;]|$)/gi, '$1')
    .replace(/[.!]+$/, '')
    .trim();
}

/** Letters only (with separators), or numbered pairs: the shape of an answer rather than a command. */
export function looksLikeTypedAnswer(text: string): boolean {
  const t = normaliseTypedAnswer(text).toUpperCase();
  return (
    /^[A-J]$/.test(t) ||
    /^[A-J](\s*[,;\s]\s*[A-J])+$/.test(t) ||
    /^[A-J]{2,5}$/.test(t) ||
    /^(\d\s*[-:=.)]?\s*[A-J][\s,;]*)+$/.test(t)
  );
}

/** How to type an answer to this question, in a few words, for someone who typed something else. */
export function typingHint(presentation: Presentation): string {
  switch (presentation.question.type) {
    case 'single':
      return 'To answer, type just the letter, e.g. B.';
    case 'multiple':
      return `To answer, type just the ${presentation.expected} letters, e.g. A, C.`;
    default: {
      const how = presentation.howToAnswer;
      return `To answer, ${how.charAt(0).toLowerCase()}${how.slice(1)}.`;
    }
  }
}

/**
 * Reads a typed answer: letters such as `B`, `A,C`, `C A B D` or `cabd` (also written `b)`,
 * `answer is B`…), and for matching also `1B 2A 3C`. Letters refer to the items as shown.
 * Throws `quiz.invalid_choice` with a hint.
 */
export function parseTypedAnswer(presentation: Presentation, text: string): Choice {
  const { question, items } = presentation;
  const cleaned = normaliseTypedAnswer(text).toUpperCase();
  const byLabel = new Map(items.map((item) => [item.label, item.index]));
  let letters: string[];
  const numbered = [...cleaned.matchAll(/(\d+)\s*[-:=.)]?\s*([A-J])/g)];
  if (question.type === 'matching' && numbered.length > 0) {
    letters = new Array(question.pairs.length).fill('');
    for (const [, number, letter] of numbered) {
      const slot = Number(number) - 1;
      if (slot < 0 || slot >= letters.length || !letter)
        throw new AppError('quiz.invalid_choice', `There is no item ${number}. ${presentation.howToAnswer}.`);
      letters[slot] = letter;
    }
    const matched = letters.filter(Boolean).length;
    if (matched < letters.length)
      throw new AppError(
        'quiz.invalid_choice',
        `You matched ${matched} of ${letters.length} items; match all ${letters.length}. ${presentation.howToAnswer}.`,
      );
  } else if (/^[A-J]+$/.test(cleaned)) {
    letters = cleaned.split('');
  } else if (/^[A-J](\s*[,;\s]\s*[A-J])*$/.test(cleaned)) {
    letters = cleaned.split(/[\s,;]+/);
  } else {
    throw new AppError(
      'quiz.invalid_choice',
      `I could not read ${quoteInput(text)} as an answer. ${presentation.howToAnswer}.`,
    );
  }
  const choice = letters.map((letter) => {
    const index = byLabel.get(letter);
    if (index === undefined)
      throw new AppError('quiz.invalid_choice', `There is no option ${letter}. ${presentation.howToAnswer}.`);
    return index;
  });
  try {
    return validateChoice(question, choice);
  } catch (error) {
    throw new AppError('quiz.invalid_choice', `${(error as Error).message} ${presentation.howToAnswer}.`);
  }
}

/** A choice written with the labels people saw, e.g. `B`, `A, C`, `C → A → B`, `1-B 2-A`. */
export function describeChoice(presentation: Presentation, choice: Choice): string {
  const labelOf = new Map(presentation.items.map((item) => [item.index, item.label]));
  switch (presentation.question.type) {
    case 'single':
    case 'multiple':
      return choice.map((i) => labelOf.get(i) ?? '?').join(', ');
    case 'ordering':
      return choice.map((i) => labelOf.get(i) ?? '?').join(' → ');
    case 'matching':
      return choice.map((answer, prompt) => `${prompt + 1}-${labelOf.get(answer) ?? '?'}`).join(' ');
  }
}

/** The right answer spelled out in full, for feedback and reveals. */
export function describeCorrectAnswer(presentation: Presentation): string {
  const { question } = presentation;
  const labelOf = new Map(presentation.items.map((item) => [item.index, item.label]));
  switch (question.type) {
    case 'single':
    case 'multiple':
      return correctIndexes(question)
        .map((i) => `${labelOf.get(i)}. ${question.options[i]?.text}`)
        .join('\n');
    case 'ordering':
      return question.steps.map((step, i) => `${i + 1}. ${step} (${labelOf.get(i)})`).join('\n');
    case 'matching':
      return question.pairs
        .map((pair, i) => `${i + 1}. ${pair.prompt} → ${labelOf.get(i)}. ${pair.answer}`)
        .join('\n');
  }
}

/** A stable shuffle: the same seed always gives the same order, and never the identity for 3+ items. */
export function shuffledIndexes(length: number, seed: string): number[] {
  const indexes = Array.from({ length }, (_, i) => i);
  let state = createHash('sha256').update(seed).digest().readUInt32BE(0);
  const next = () => {
    // xorshift32: tiny, deterministic, good enough to mix a handful of items.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  for (let i = length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [indexes[i], indexes[j]] = [indexes[j] as number, indexes[i] as number];
  }
  // An ordering question shown in its correct order would give the answer away.
  if (length >= 2 && indexes.every((value, i) => value === i)) indexes.push(indexes.shift() as number);
  return indexes;
}

/** Turns a stored question version (its content column) into a Question. */
export function questionFromContent(id: string, version: number, content: unknown): Question {
  return { ...(content as Omit<Question, 'id' | 'version'>), id, version } as Question;
}
