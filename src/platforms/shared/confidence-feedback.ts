import { isCorrect, markChoice } from '../../quiz/question.js';
import type { AnswerResult, ConfidenceMark, PracticeResult, Quiz } from '../../quiz/quiz.js';
import type { ConfidenceValue } from '../../quiz/values.js';

/**
 * What an "I was sure" / "I guessed" button under this feedback carries: the question and the
 * answer's instant (so the tap marks this answer, not a later one to the same question), and what
 * the feedback showed, so the message can be drawn again with a "Marked" line in place of the
 * buttons. Neither Slack nor Teams hands back a private message's content with a click, so it
 * travels in the button.
 */
export function confidenceValueOf(result: AnswerResult | PracticeResult, s: 0 | 1): ConfidenceValue {
  const base = {
    q: result.question.id,
    s,
    v: result.question.version,
    c: result.choice,
    ...(result.answeredAt ? { t: result.answeredAt.getTime() } : {}),
  };
  if (!('points' in result)) return { ...base, a: 'p' };
  if (result.outcome === 'late') return { ...base, a: 'l' };
  return { ...base, a: 'd', p: [result.points, result.streak, result.totalPoints] };
}

/**
 * The feedback a confidence button sat under, drawn again from its value once the tap found and
 * marked (or found marked) an answer of the person's to that question (so a made-up value shows
 * nothing they had not seen). Undefined for buttons that carry only the question, a version no
 * longer known, or an answer whose review is not written yet (its buttons stay, to tap again).
 */
export async function feedbackOfConfidence(
  quiz: Pick<Quiz, 'practiceQuestion'>,
  value: ConfidenceValue,
  mark: ConfidenceMark,
): Promise<AnswerResult | PracticeResult | undefined> {
  if (
    mark.kind === 'none' ||
    mark.kind === 'pending' ||
    value.v === undefined ||
    value.c === undefined ||
    value.a === undefined
  )
    return undefined;
  const question = await quiz.practiceQuestion(value.q, value.v);
  if (!question) return undefined;
  const shown = {
    question,
    choice: value.c,
    correct: isCorrect(question, value.c),
    rightParts: markChoice(question, value.c),
  };
  if (value.a === 'p') return { outcome: 'recorded', ...shown };
  const [points, streak, totalPoints] = value.p ?? [0, 0, 0];
  return {
    outcome: value.a === 'l' ? 'late' : 'recorded',
    ...shown,
    points,
    streak,
    totalPoints,
    postId: '',
    answeredCount: 0,
  };
}

/**
 * The confidence tap a button's value asks for: that answer, or for buttons without its instant,
 * the person's latest answer to the question.
 */
export function confidenceTapOf(value: ConfidenceValue): {
  questionId: string;
  sure: boolean;
  answeredAt?: Date;
} {
  return {
    questionId: value.q,
    sure: value.s === 1,
    ...(value.t === undefined ? {} : { answeredAt: new Date(value.t) }),
  };
}
