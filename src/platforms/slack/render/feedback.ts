import type { KnownBlock } from '@slack/types';
import { describeChoice, describeCorrectAnswer, presentQuestion } from '../../../quiz/question.js';
import type { AnswerResult, PracticeResult } from '../../../quiz/quiz.js';
import { CONFIDENCE_PROMPT, confidenceMarkedLine, offersConfidence } from '../../../quiz/render-study.js';
import { explanationLines } from '../../../quiz/render-text.js';
import { confidenceValueOf } from '../../shared/confidence-feedback.js';
import { ACTIONS, context, escapeMrkdwn, plain, section } from '../blocks.js';

/**
 * The private result of an answer: the verdict, the right answer, why, and what it scored; under an
 * answer just stored, the confidence buttons, or once tapped (`marked`) what was marked instead.
 */
export function feedbackBlocks(result: AnswerResult | PracticeResult, marked?: boolean): KnownBlock[] {
  const presentation = presentQuestion(result.question);
  const verdict = result.correct ? ':white_check_mark: *Correct!*' : ':x: *Not quite.*';
  let head: string;
  if (result.outcome === 'already_answered')
    head = `You already answered *${describeChoice(presentation, result.choice)}*; your first answer is the one that counts.`;
  else if (result.outcome === 'late')
    head = `${verdict} This question has closed, so your answer counts as practice, not points.`;
  else head = `${verdict} You answered *${describeChoice(presentation, result.choice)}*.`;
  const blocks: KnownBlock[] = [section(head)];
  if (!result.correct || result.outcome !== 'already_answered')
    blocks.push(section(`*The right answer*\n${escapeMrkdwn(describeCorrectAnswer(presentation))}`));
  blocks.push(
    section(escapeMrkdwn(explanationLines(result.question, result.choice, result.rightParts).join('\n'))),
  );
  if ('points' in result && result.outcome === 'recorded') {
    blocks.push(context(`+${result.points} points · streak ${result.streak} · total ${result.totalPoints}`));
  }
  if (offersConfidence(result))
    blocks.push(
      ...(marked === undefined ? confidenceBlocks(result) : [context(confidenceMarkedLine(marked))]),
    );
  return blocks;
}

/** The optional "I was sure / I guessed" tap under an answer's feedback. */
export function confidenceBlocks(result: AnswerResult | PracticeResult): KnownBlock[] {
  const button = (label: string, s: 0 | 1) => ({
    type: 'button' as const,
    action_id: `${ACTIONS.confidence}:${s ? 'sure' : 'guess'}`,
    text: plain(label),
    value: JSON.stringify(confidenceValueOf(result, s)),
  });
  return [
    context(CONFIDENCE_PROMPT),
    { type: 'actions', block_id: 'confidence', elements: [button('I was sure', 1), button('I guessed', 0)] },
  ];
}
