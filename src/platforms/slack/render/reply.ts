import type { KnownBlock } from '@slack/types';
import type { ReminderContent } from '../../../quiz/quiz.js';
import { reminderIntroText } from '../../../quiz/render-study.js';
import { renderReplyText } from '../../../quiz/render-text.js';
import type { Reply } from '../../../quiz/replies.js';
import { context, escapeMrkdwn, section } from '../blocks.js';
import { practiceBlocks } from './question.js';

// What the bot sends one person: a command's reply, a weak-topic reminder.

/** A reminder: why this question now (and the exam's pace), the question, how to change the reminders. */
export function reminderBlocks(reminder: ReminderContent): KnownBlock[] {
  return [
    section(escapeMrkdwn(reminderIntroText(reminder))),
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
