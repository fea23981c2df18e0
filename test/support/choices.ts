import { correctChoice, type Question } from '../../src/quiz/question.js';

/**
 * A choice the question accepts as well-formed but marks wrong: another option for a single
 * answer, the right set with one option swapped for a wrong one (so the count still fits) for a
 * multiple answer, and the right order reversed for ordering and matching.
 */
export function wrongChoice(question: Question): number[] {
  const right = correctChoice(question);
  if (question.type === 'single') return [right[0] === 0 ? 1 : 0];
  if (question.type === 'multiple') {
    const spare = question.options.findIndex((_, i) => !right.includes(i));
    return [spare, ...right.slice(1)].sort((a, b) => a - b);
  }
  return [...right].reverse();
}
