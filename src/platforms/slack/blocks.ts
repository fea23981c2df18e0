import type { KnownBlock, View } from '@slack/types';
import { domainTitle } from '../../bank/schema.js';
import type { DailyQuestionMessage } from '../../quiz/port.js';
import {
  correctIndexes,
  describeChoice,
  describeCorrectAnswer,
  type Presentation,
  presentQuestion,
  type Question,
} from '../../quiz/question.js';
import type {
  AnswerResult,
  PersonalStats,
  PracticeQuestion,
  PracticeResult,
  ReminderContent,
  Reveal,
  UserSettings,
  WeeklyDigest,
} from '../../quiz/quiz.js';
import { explanationLines, formatInZone, questionHeader, renderReplyText } from '../../quiz/render-text.js';
import type { Reply } from '../../quiz/replies.js';
import type { DailyValue, PracticeValue } from '../../quiz/values.js';

/** Slack's Block Kit limits that every message here must respect. */
export const SLACK_LIMITS = {
  blocks: 50,
  sectionText: 3000,
  buttonText: 75,
  optionText: 75,
  value: 2000,
} as const;

export const ACTIONS = {
  dailySingle: 'qotd_single',
  dailySubmit: 'qotd_submit',
  practiceSingle: 'practice_single',
  practiceSubmit: 'practice_submit',
  input: 'answer_input',
  homePractice: 'home_practice',
  homeTopic: 'home_topic',
  homeReminders: 'home_reminders',
} as const;

export type { DailyValue, PracticeValue } from '../../quiz/values.js';

const section = (text: string): KnownBlock => ({
  type: 'section',
  text: { type: 'mrkdwn', text: clip(text, SLACK_LIMITS.sectionText) },
});
const context = (text: string): KnownBlock => ({
  type: 'context',
  elements: [{ type: 'mrkdwn', text: clip(text, SLACK_LIMITS.sectionText) }],
});
const plain = (text: string, max: number = SLACK_LIMITS.optionText) => ({
  type: 'plain_text' as const,
  text: clip(text, max),
  emoji: true,
});

export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Slack mrkdwn treats &, < and > specially; question text is shown literally. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The question and the inputs that fit its type: a button per option for single-answer questions;
 * checkboxes and Submit for multiple; one select per position (ordering) or prompt (matching) and Submit.
 */
export function questionBlocks(
  presentation: Presentation,
  options: { kind: 'daily'; value: DailyValue } | { kind: 'practice'; value: PracticeValue },
): KnownBlock[] {
  const { question, items, prompts } = presentation;
  const blocks: KnownBlock[] = [section(escapeMrkdwn(question.stem))];
  const singleAction = options.kind === 'daily' ? ACTIONS.dailySingle : ACTIONS.practiceSingle;
  const submitAction = options.kind === 'daily' ? ACTIONS.dailySubmit : ACTIONS.practiceSubmit;
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

export function dailyQuestionBlocks(message: DailyQuestionMessage): KnownBlock[] {
  const presentation = presentQuestion(message.question);
  const head = section(`*Question of the day* · ${message.localDate}\n${questionHeader(message.question)}`);
  if (message.closed) {
    return [
      head,
      section(escapeMrkdwn(message.question.stem)),
      context(`Closed · ${message.answered} answered · the answer is in the thread`),
    ];
  }
  return [
    head,
    ...questionBlocks(presentation, { kind: 'daily', value: { p: message.postId } }),
    context(
      `${message.answered} answered${closesText(message.closesAt, message.timezone)} · your answer stays private until the reveal`,
    ),
  ];
}

export function practiceBlocks(
  practice: PracticeQuestion,
  options: { reminder?: boolean } = {},
): KnownBlock[] {
  const title =
    practice.reason === 'weak-topic'
      ? `*Practice on your weakest topic:* ${practice.topicTitle}`
      : `*Practice:* ${practice.topicTitle}`;
  const value: PracticeValue = {
    q: practice.question.id,
    v: practice.question.version,
    k: practice.issueKey,
    ...(options.reminder ? { r: 1 as const } : {}),
  };
  return [
    section(`${title}\n${questionHeader(practice.question)}`),
    ...questionBlocks(presentQuestion(practice.question), { kind: 'practice', value }),
  ];
}

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

export function revealBlocks(reveal: Reveal): KnownBlock[] {
  const presentation = presentQuestion(reveal.question);
  const blocks: KnownBlock[] = [
    section(`*The answer*\n${escapeMrkdwn(describeCorrectAnswer(presentation))}`),
  ];
  const summary =
    reveal.answered === 0
      ? 'Nobody answered this one.'
      : `${reveal.correctCount} of ${reveal.answered} answered correctly (${Math.round((reveal.correctCount / reveal.answered) * 100)}%).`;
  const lines = [summary];
  if (reveal.optionCounts.length > 0 && reveal.answered > 0) {
    const right = new Set(correctIndexes(reveal.question as Question & { type: 'single' | 'multiple' }));
    for (const item of presentation.items) {
      const n = reveal.optionCounts[item.index] ?? 0;
      const filled = Math.round((n / reveal.answered) * 10);
      lines.push(
        `\`${item.label}\` ${'█'.repeat(filled)}${'░'.repeat(10 - filled)} ${n}${right.has(item.index) ? ' :white_check_mark:' : ''}`,
      );
    }
  }
  blocks.push(section(lines.join('\n')));
  blocks.push(section(escapeMrkdwn(reveal.question.explanation)));
  return blocks;
}

export function digestBlocks(digest: WeeklyDigest): KnownBlock[] {
  const blocks: KnownBlock[] = [
    { type: 'header', text: plain(`Weekly digest · ${digest.week}`, 150) },
    section(
      `${digest.questionsAsked} questions · *${digest.activePeople}* of ${digest.members} people answered`,
    ),
  ];
  if (digest.top.length > 0) {
    blocks.push(
      section(
        `*Top of the week*\n${digest.top.map((r) => `${r.rank}. ${escapeMrkdwn(r.name)} · ${r.points} pts (${r.correct}/${r.answered})`).join('\n')}`,
      ),
    );
  }
  if (digest.hardest) {
    blocks.push(
      section(
        `*Hardest question* (${digest.hardest.correct}/${digest.hardest.answered} right)\n${escapeMrkdwn(clip(digest.hardest.question.stem, 600))}`,
      ),
    );
  }
  if (digest.weakestDomain) {
    blocks.push(
      section(
        `*Team's weakest domain:* D${digest.weakestDomain.domain} ${digest.weakestDomain.title} (${Math.round(digest.weakestDomain.accuracy * 100)}% correct)`,
      ),
    );
  }
  if (digest.streaks.length > 0)
    blocks.push(
      context(
        `Streaks: ${digest.streaks.map((s) => `${escapeMrkdwn(s.name)} ${s.streak} days`).join(' · ')}`,
      ),
    );
  return blocks;
}

export function reminderBlocks(reminder: ReminderContent): KnownBlock[] {
  return [
    section(
      `Your weakest topic right now is *${reminder.topic.title}* (${reminder.topic.correct}/${reminder.topic.answered} correct). Here is a question on it:`,
    ),
    ...practiceBlocks(reminder.practice, { reminder: true }),
    context('Reply `/aif-quiz reminders off` or `/aif-quiz snooze 7` to change these reminders.'),
  ];
}

const TABULAR: ReadonlySet<Reply['kind']> = new Set(['help', 'topics', 'stats', 'leaderboard', 'settings']);

/** A command's reply. Practice replies carry their own buttons; tables go in a code block to keep their columns. */
export function replyBlocks(reply: Reply): KnownBlock[] {
  if (reply.kind === 'practice') return practiceBlocks(reply.practice);
  const text = renderReplyText(reply, '/aif-quiz ');
  return [
    section(
      TABULAR.has(reply.kind) && !(reply.kind === 'help' && reply.problem)
        ? `\`\`\`${text}\`\`\``
        : escapeMrkdwn(text),
    ),
  ];
}

/** The App Home tab: a personal dashboard. */
export function homeView(stats: PersonalStats, settings: UserSettings): View {
  const blocks: KnownBlock[] = [{ type: 'header', text: plain('Your AIF-C01 study dashboard', 150) }];
  if (stats.answered === 0) {
    blocks.push(
      section(
        'No answers yet. Answer the question of the day in a subscribed channel, or practise on your own.',
      ),
    );
  } else {
    blocks.push(
      section(
        `*${stats.points}* points · streak *${stats.streak}* · ${stats.correct}/${stats.answered} correct (${Math.round((stats.accuracy ?? 0) * 100)}%)${stats.rank ? ` · rank ${stats.rank} of ${stats.rankedPeople}` : ''}`,
      ),
    );
    blocks.push(
      section(
        `*Accuracy by exam domain*\n${stats.byDomain.map((d) => `D${d.domain} ${domainTitle(d.domain)}: ${Math.round(d.accuracy * 100)}% of ${d.answered}`).join('\n')}`,
      ),
    );
  }
  blocks.push({ type: 'divider' });
  if (stats.weakTopics.length === 0)
    blocks.push(section('*Weakest topics*\nNone yet: a topic needs at least 3 answers to be judged.'));
  else {
    blocks.push(section('*Weakest topics*'));
    for (const w of stats.weakTopics) {
      blocks.push({
        type: 'section',
        text: { type: 'mrkdwn', text: `${escapeMrkdwn(w.title)} · ${w.correct}/${w.answered} correct` },
        accessory: {
          type: 'button',
          action_id: `${ACTIONS.homeTopic}:${w.topic}`,
          text: plain('Practise this'),
          value: w.topic,
        },
      });
    }
  }
  blocks.push({
    type: 'actions',
    elements: [
      {
        type: 'button',
        action_id: ACTIONS.homePractice,
        text: plain('Practice question'),
        style: 'primary',
        value: 'practice',
      },
    ],
  });
  blocks.push({ type: 'divider' });
  const snoozed =
    settings.snoozedUntil && settings.snoozedUntil > new Date()
      ? ` (paused until ${settings.snoozedUntil.toISOString().slice(0, 10)})`
      : '';
  blocks.push(section(`*Weak-topic reminders:* ${settings.reminders}${snoozed}`));
  blocks.push({
    type: 'actions',
    elements: (['weekly', 'daily', 'off'] as const).map((value) => ({
      type: 'button' as const,
      action_id: `${ACTIONS.homeReminders}:${value}`,
      text: plain(value === 'off' ? 'Turn off' : `Remind me ${value}`),
      value,
      ...(settings.reminders === value ? { style: 'primary' as const } : {}),
    })),
  });
  return { type: 'home', blocks: blocks.slice(0, SLACK_LIMITS.blocks) };
}
