import { z } from 'zod';
import { mockValueSchema } from '../../learning/mock/mock.values.js';
import type { DailyQuestionMessage } from '../../quiz/port.js';
import { type Presentation, presentQuestion, type Question } from '../../quiz/question.js';
import type { PracticeQuestion } from '../../quiz/quiz.js';
import { formatInZone, questionHeader } from '../../quiz/render-text.js';
import { dailyValueSchema, practiceValueSchema } from '../../quiz/values.js';

/** Teams renders Adaptive Cards up to 1.5 on every client. */
const CARD_VERSION = '1.5';

/** What the bot's cards carry back on Submit (the inputs' values come alongside). */
export const cardDataSchema = z.discriminatedUnion('aifq', [
  dailyValueSchema.extend({ aifq: z.literal('qotd') }),
  practiceValueSchema.extend({ aifq: z.literal('practice') }),
  mockValueSchema.extend({ aifq: z.literal('mock') }),
]);
export type CardData = z.infer<typeof cardDataSchema>;

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
  data: CardData,
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
    return card([
      ...head,
      text(message.question.stem),
      text(`Closed · ${message.answered} answered · the answer is in the replies`, { isSubtle: true }),
    ]);
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
    actions,
  );
}

export function practiceCard(practice: PracticeQuestion, options: { reminder?: boolean } = {}): Element {
  const title =
    practice.reason === 'weak-topic'
      ? `**Practice on your weakest topic:** ${practice.topicTitle}`
      : `**Practice:** ${practice.topicTitle}`;
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
    actions,
  );
}

export function cardAttachment(content: Element) {
  return { contentType: 'application/vnd.microsoft.card.adaptive', content };
}
