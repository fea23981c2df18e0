import { createHash } from 'node:crypto';

/**
 * What decides whether a stored answer is right, for each question type, in the shape question
 * versions store their content (`question_versions.content`).
 */
export type AnswerKeySource =
  | { type: 'single' | 'multiple'; options: ReadonlyArray<{ text: string; correct?: boolean }> }
  | { type: 'ordering'; steps: readonly string[] }
  | { type: 'matching'; pairs: ReadonlyArray<{ prompt: string; answer: string }> };

/** Case, spacing and punctuation do not change what an answer says. */
function normalise(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/**
 * The answer key as a short fingerprint. Single and multiple: the set of correct options, by text
 * (so moving options around or rewording a distractor keeps it); ordering: the steps in order;
 * matching: the set of prompt → answer pairs. Stems, explanations and wrong options are not in it.
 *
 * @example answerKeyOf({ type: 'single', options: [{ text: 'A', correct: true }, { text: 'B' }] })
 */
export function answerKeyOf(question: AnswerKeySource): string {
  let parts: string[];
  switch (question.type) {
    case 'single':
    case 'multiple':
      parts = question.options
        .filter((o) => o.correct === true)
        .map((o) => normalise(o.text))
        .sort();
      break;
    case 'ordering':
      parts = question.steps.map(normalise);
      break;
    case 'matching':
      parts = question.pairs.map((p) => `${normalise(p.prompt)} => ${normalise(p.answer)}`).sort();
      break;
  }
  return createHash('sha256')
    .update(JSON.stringify([question.type, parts]))
    .digest('base64url')
    .slice(0, 16);
}

/**
 * Whether a new version of a question must restart everyone's card on it: only when what counts as
 * the right answer changed. A reworded stem, a fixed typo in a wrong option or a better explanation
 * keeps the card; rewording the correct option itself restarts it (a few extra reviews are cheaper
 * than keeping a memory of an answer that is no longer the one asked for).
 */
export function answerKeyChanged(oldVersion: AnswerKeySource, newVersion: AnswerKeySource): boolean {
  return answerKeyOf(oldVersion) !== answerKeyOf(newVersion);
}
