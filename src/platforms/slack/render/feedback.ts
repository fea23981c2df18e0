import type { KnownBlock } from '@slack/types';
import { describeChoice, describeCorrectAnswer, presentQuestion } from '../../../quiz/question.js';
import type { AnswerResult, PracticeResult } from '../../../quiz/quiz.js';
import { explanationLines } from '../../../quiz/render-text.js';
import { context, escapeMrkdwn, section } from '../blocks.js';

/** The private result of an answer: the verdict, the right answer, why, and what it scored. */
export function feedbackBlocks(result: AnswerResult | PracticeResult): KnownBlock[] {
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
  return blocks;
}
