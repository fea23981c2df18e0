import type { KnownBlock } from '@slack/types';
import type { MockValue } from '../../../learning/mock/mock.values.js';
import type { DailyQuestionMessage } from '../../../quiz/port.js';
import { type Presentation, presentQuestion, type Question } from '../../../quiz/question.js';
import type { PracticeQuestion } from '../../../quiz/quiz.js';
import { practiceTitleParts } from '../../../quiz/render-study.js';
import { formatInZone, questionHeader } from '../../../quiz/render-text.js';
import type { DailyValue, PracticeValue } from '../../../quiz/values.js';
import { ACTIONS, clip, context, escapeMrkdwn, plain, SLACK_LIMITS, section } from '../blocks.js';
import { reportMenu } from './report.js';

/**
 * The question and the inputs that fit its type: a button per option for single-answer questions;
 * checkboxes and Submit for multiple; one select per position (ordering) or prompt (matching) and Submit.
 */
export function questionBlocks(
  presentation: Presentation,
  options: { single: string; submit: string; value: DailyValue | PracticeValue | MockValue },
): KnownBlock[] {
  const { question, items, prompts } = presentation;
  const blocks: KnownBlock[] = [section(escapeMrkdwn(question.stem))];
  const singleAction = options.single;
  const submitAction = options.submit;
  const submit = {
    type: 'button' as const,
    action_id: submitAction,
    text: plain('Submit answer'),
    style: 'primary' as const,
    value: JSON.stringify(options.value),
  };

  if (question.type === 'single' || question.type === 'multiple') {
    blocks.push(section(items.map((item) => `*${item.label})* ${escapeMrkdwn(item.text)}`).join('\n')));
  }
  switch (question.type) {
    case 'single':
      blocks.push({
        type: 'actions',
        block_id: 'answer',
        elements: items.map((item) => ({
          type: 'button' as const,
          action_id: `${singleAction}:${item.label}`,
          text: plain(item.label),
          value: JSON.stringify({ ...options.value, c: [item.index] }),
        })),
      });
      break;
    case 'multiple':
      blocks.push({
        type: 'actions',
        block_id: 'multi',
        elements: [
          {
            type: 'checkboxes',
            action_id: ACTIONS.input,
            options: items.map((item) => ({ text: plain(item.label), value: String(item.index) })),
          },
        ],
      });
      blocks.push({ type: 'actions', block_id: 'submit', elements: [submit] });
      break;
    case 'ordering':
      blocks.push(
        context(`Put the ${items.length} steps in order: pick the first step in the first menu, and so on.`),
      );
      items.forEach((_, position) => {
        blocks.push({
          type: 'section',
          block_id: `pos:${position}`,
          text: { type: 'mrkdwn', text: `*Step ${position + 1}*` },
          accessory: {
            type: 'static_select',
            action_id: ACTIONS.input,
            placeholder: plain('Choose a step'),
            options: items.map((item) => ({ text: plain(item.text), value: String(item.index) })),
          },
        });
      });
      blocks.push({ type: 'actions', block_id: 'submit', elements: [submit] });
      break;
    case 'matching':
      for (const prompt of prompts) {
        blocks.push({
          type: 'section',
          block_id: `pair:${prompt.index}`,
          text: {
            type: 'mrkdwn',
            text: clip(`*${prompt.label}.* ${escapeMrkdwn(prompt.text)}`, SLACK_LIMITS.sectionText),
          },
          accessory: {
            type: 'static_select',
            action_id: ACTIONS.input,
            placeholder: plain('Match with…'),
            options: items.map((item) => ({ text: plain(item.text), value: String(item.index) })),
          },
        });
      }
      blocks.push({ type: 'actions', block_id: 'submit', elements: [submit] });
      break;
  }
  return blocks;
}

/** Reads the inputs of a submitted question (block_actions `state.values`) into a choice. */
export function choiceFromState(
  question: Question,
  values: Record<string, Record<string, SlackInputState>> | undefined,
): number[] {
  const state = values ?? {};
  const selected = (blockId: string) => state[blockId]?.[ACTIONS.input]?.selected_option?.value;
  switch (question.type) {
    case 'single':
      return [];
    case 'multiple':
      return (state.multi?.[ACTIONS.input]?.selected_options ?? []).map((o) => Number(o.value));
    case 'ordering':
      return question.steps.map((_, position) => Number(selected(`pos:${position}`) ?? Number.NaN));
    case 'matching':
      return question.pairs.map((_, prompt) => Number(selected(`pair:${prompt}`) ?? Number.NaN));
  }
}

export interface SlackInputState {
  type?: string;
  selected_option?: { value: string } | null;
  selected_options?: Array<{ value: string }>;
}

// Slack shows the date in each reader's own timezone; the text after | is for clients that cannot.
function closesText(closesAt: Date | null, timezone?: string): string {
  if (!closesAt) return '';
  return ` · closes <!date^${Math.floor(closesAt.getTime() / 1000)}^{date_short_pretty} at {time}|${formatInZone(closesAt, timezone)}>`;
}

/** A question's heading with the "Report a problem" menu beside it (it takes no block of its own). */
function withReportMenu(head: KnownBlock, question: Question): KnownBlock {
  return { ...head, accessory: reportMenu(question) } as KnownBlock;
}

export function dailyQuestionBlocks(message: DailyQuestionMessage): KnownBlock[] {
  const presentation = presentQuestion(message.question);
  const head = withReportMenu(
    section(`*Question of the day* · ${message.localDate}\n${questionHeader(message.question)}`),
    message.question,
  );
  if (message.closed) {
    return [
      head,
      section(escapeMrkdwn(message.question.stem)),
      context(`Closed · ${message.answered} answered · the answer is in the thread`),
    ];
  }
  return [
    head,
    ...questionBlocks(presentation, {
      single: ACTIONS.dailySingle,
      submit: ACTIONS.dailySubmit,
      value: { p: message.postId },
    }),
    context(
      `${message.answered} answered${closesText(message.closesAt, message.timezone)} · your answer stays private until the reveal`,
    ),
  ];
}

export function practiceBlocks(
  practice: PracticeQuestion,
  options: { reminder?: boolean } = {},
): KnownBlock[] {
  const { label, rest } = practiceTitleParts(practice);
  const title = `*${label}:* ${escapeMrkdwn(rest)}`;
  const value: PracticeValue = {
    q: practice.question.id,
    v: practice.question.version,
    k: practice.issueKey,
    ...(options.reminder ? { r: 1 as const } : {}),
  };
  return [
    withReportMenu(section(`${title}\n${questionHeader(practice.question)}`), practice.question),
    ...questionBlocks(presentQuestion(practice.question), {
      single: ACTIONS.practiceSingle,
      submit: ACTIONS.practiceSubmit,
      value,
    }),
  ];
}
