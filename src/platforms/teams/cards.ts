import { z } from 'zod';
import { REPORT_REASONS, REPORT_TEXT_MAX } from '../../insight/reports.js';
import { mockValueSchema } from '../../learning/mock/mock.values.js';
import type { DailyQuestionMessage } from '../../quiz/port.js';
import { type Presentation, presentQuestion, type Question } from '../../quiz/question.js';
import type { AnswerResult, PracticeQuestion, PracticeResult } from '../../quiz/quiz.js';
import { CONFIDENCE_PROMPT, confidenceMarkedLine, practiceTitleParts } from '../../quiz/render-study.js';
import { formatInZone, questionHeader } from '../../quiz/render-text.js';
import {
  confidenceValueSchema,
  dailyValueSchema,
  practiceValueSchema,
  reportValueSchema,
  topicSlugSchema,
} from '../../quiz/values.js';
import { confidenceValueOf } from '../shared/confidence-feedback.js';

/** Teams renders Adaptive Cards up to 1.5 on every client. */
const CARD_VERSION = '1.5';

/** What the bot's cards carry back on Submit (the inputs' values come alongside). */
export const cardDataSchema = z.discriminatedUnion('aifq', [
  dailyValueSchema.extend({ aifq: z.literal('qotd') }),
  practiceValueSchema.extend({ aifq: z.literal('practice') }),
  // The digest's "Practise <topic>" button.
  z.object({ aifq: z.literal('topic'), t: topicSlugSchema }),
  confidenceValueSchema.extend({ aifq: z.literal('confidence') }),
  reportValueSchema.extend({ aifq: z.literal('report') }),
  mockValueSchema.extend({ aifq: z.literal('mock') }),
]);
export type CardData = z.infer<typeof cardDataSchema>;
/** What an answer's Submit carries: a question of the day's or a practice question's. */
export type AnswerCardData = Exclude<CardData, { aifq: 'topic' }>;

export type Element = Record<string, unknown>;

export const text = (value: string, extra: Element = {}): Element => ({
  type: 'TextBlock',
  text: value,
  wrap: true,
  ...extra,
});

export function card(body: Element[], actions: Element[] = []): Element {
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: CARD_VERSION,
    body,
    actions,
  };
}

/**
 * The question with inputs that fit its type: a button per option (single); a multi-select choice
 * set (multiple); one choice set per position (ordering) or per prompt (matching); then Submit.
 */
export function questionElements(
  presentation: Presentation,
  data: AnswerCardData,
): { body: Element[]; actions: Element[] } {
  const { question, items, prompts } = presentation;
  const body: Element[] = [text(question.stem)];
  const submit = { type: 'Action.Submit', title: 'Submit answer', style: 'positive', data };
  switch (question.type) {
    case 'single':
      body.push(...items.map((item) => text(`**${item.label})** ${item.text}`, { spacing: 'Small' })));
      return {
        body,
        actions: items.map((item) => ({
          type: 'Action.Submit',
          title: item.label,
          data: { ...data, c: [item.index] },
        })),
      };
    case 'multiple':
      body.push({
        type: 'Input.ChoiceSet',
        id: 'multi',
        isMultiSelect: true,
        style: 'expanded',
        choices: items.map((item) => ({ title: `${item.label}) ${item.text}`, value: String(item.index) })),
      });
      return { body, actions: [submit] };
    case 'ordering':
      body.push(text(`Put the ${items.length} steps in order:`, { isSubtle: true }));
      items.forEach((_, position) => {
        body.push({
          type: 'Input.ChoiceSet',
          id: `pos:${position}`,
          label: `Step ${position + 1}`,
          style: 'compact',
          placeholder: 'Choose a step',
          choices: items.map((item) => ({ title: item.text, value: String(item.index) })),
        });
      });
      return { body, actions: [submit] };
    case 'matching':
      for (const prompt of prompts) {
        body.push({
          type: 'Input.ChoiceSet',
          id: `pair:${prompt.index}`,
          label: `${prompt.label}. ${prompt.text}`,
          style: 'compact',
          placeholder: 'Match with…',
          choices: items.map((item) => ({ title: item.text, value: String(item.index) })),
        });
      }
      return { body, actions: [submit] };
  }
}

/** The ids of the report form's inputs, whose values come back with its Submit. */
export const REPORT_FIELDS = { reason: 'reportReason', text: 'reportText' } as const;

const capitalised = (value: string) => value.charAt(0).toUpperCase() + value.slice(1);

/**
 * "Report a problem", the last action of a question's card: it unfolds a small form in the card (a
 * reason and, optionally, what is wrong), whose Submit comes back bound to the question and version
 * shown. Inputs inside the unfolded form are sent only by its own Submit, never with an answer.
 *
 * @example card(body, [...answerActions, reportAction(question)])
 */
export function reportAction(question: Pick<Question, 'id' | 'version'>): Element {
  const data: CardData = { aifq: 'report', q: question.id, v: question.version };
  return {
    type: 'Action.ShowCard',
    title: 'Report a problem',
    card: {
      type: 'AdaptiveCard',
      body: [
        {
          type: 'Input.ChoiceSet',
          id: REPORT_FIELDS.reason,
          label: 'What is wrong?',
          style: 'compact',
          isRequired: true,
          errorMessage: 'Choose a reason',
          placeholder: 'Choose a reason',
          choices: Object.entries(REPORT_REASONS).map(([value, words]) => ({
            title: capitalised(words),
            value,
          })),
        },
        {
          type: 'Input.Text',
          id: REPORT_FIELDS.text,
          label: 'Tell us more (needed for "other")',
          isMultiline: true,
          maxLength: REPORT_TEXT_MAX,
          placeholder: 'For example: option B is also right, because…',
        },
      ],
      actions: [{ type: 'Action.Submit', title: 'Send report', data }],
    },
  };
}

/** Reads a submitted card's inputs (the activity's `value`) into a choice. */
export function choiceFromValue(question: Question, value: Record<string, unknown>): number[] {
  const read = (id: string) => Number(value[id] ?? Number.NaN);
  switch (question.type) {
    case 'single':
      return Array.isArray(value.c) ? (value.c as number[]) : [];
    case 'multiple':
      return String(value.multi ?? '')
        .split(',')
        .filter(Boolean)
        .map(Number);
    case 'ordering':
      return question.steps.map((_, position) => read(`pos:${position}`));
    case 'matching':
      return question.pairs.map((_, prompt) => read(`pair:${prompt}`));
  }
}

export function dailyQuestionCard(message: DailyQuestionMessage): Element {
  const head = [
    text(`**Question of the day** · ${message.localDate}`, { size: 'Medium' }),
    text(questionHeader(message.question), { isSubtle: true, spacing: 'None' }),
  ];
  if (message.closed) {
    return card(
      [
        ...head,
        text(message.question.stem),
        text(`Closed · ${message.answered} answered · the answer is in the replies`, { isSubtle: true }),
      ],
      [reportAction(message.question)],
    );
  }
  const { body, actions } = questionElements(presentQuestion(message.question), {
    aifq: 'qotd',
    p: message.postId,
  });
  const closes = message.closesAt ? ` · closes ${formatInZone(message.closesAt, message.timezone)}` : '';
  return card(
    [
      ...head,
      ...body,
      text(`${message.answered} answered${closes} · feedback comes to you in a private chat`, {
        isSubtle: true,
        size: 'Small',
      }),
    ],
    [...actions, reportAction(message.question)],
  );
}

export function practiceCard(practice: PracticeQuestion, options: { reminder?: boolean } = {}): Element {
  const { label, rest } = practiceTitleParts(practice);
  const title = `**${label}:** ${rest}`;
  const data: CardData = {
    aifq: 'practice',
    q: practice.question.id,
    v: practice.question.version,
    k: practice.issueKey,
    ...(options.reminder ? { r: 1 as const } : {}),
  };
  const { body, actions } = questionElements(presentQuestion(practice.question), data);
  return card(
    [text(title), text(questionHeader(practice.question), { isSubtle: true, spacing: 'None' }), ...body],
    [...actions, reportAction(practice.question)],
  );
}

/** The optional "I was sure / I guessed" tap, sent with an answer's feedback. */
export function confidenceCard(result: AnswerResult | PracticeResult, marked?: boolean): Element {
  if (marked !== undefined) return card([text(confidenceMarkedLine(marked), { isSubtle: true })]);
  const tap = (title: string, s: 0 | 1) => ({
    type: 'Action.Submit',
    title,
    data: { aifq: 'confidence', ...confidenceValueOf(result, s) } satisfies CardData,
  });
  return card([text(CONFIDENCE_PROMPT, { isSubtle: true })], [tap('I was sure', 1), tap('I guessed', 0)]);
}

export function cardAttachment(content: Element) {
  return { contentType: 'application/vnd.microsoft.card.adaptive', content };
}
