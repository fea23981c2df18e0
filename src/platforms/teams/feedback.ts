import type { Activity } from 'botbuilder';
import type { AnswerResult, PracticeResult } from '../../quiz/quiz.js';
import { offersConfidence } from '../../quiz/render-study.js';
import { renderFeedbackText } from '../../quiz/render-text.js';
import { markdown } from './activity.js';
import { cardAttachment, confidenceCard } from './cards.js';

/**
 * An answer's private feedback, with the "I was sure / I guessed" card when the answer was just
 * stored, or once tapped (`marked`) the card saying what was marked.
 */
export function feedbackActivity(result: AnswerResult | PracticeResult, marked?: boolean): Partial<Activity> {
  return {
    text: markdown(renderFeedbackText(result)),
    textFormat: 'markdown',
    ...(offersConfidence(result) ? { attachments: [cardAttachment(confidenceCard(result, marked))] } : {}),
  };
}
