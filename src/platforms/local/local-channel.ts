import { createInterface } from 'node:readline';
import stringWidth from 'string-width';
import wrapAnsi from 'wrap-ansi';
import { isAppError, publicErrorOf } from '../../errors.js';
import { REPORT_REASONS, reportThanks } from '../../insight/reports.js';
import type { MockQuestionView, MockView } from '../../learning/mock/mock.types.js';
import { renderMockText } from '../../learning/mock/mock-text.js';
import type { Logger } from '../../logger.js';
import { parseCommand } from '../../quiz/commands.js';
import type {
  ChannelTarget,
  ChatPlatform,
  DailyQuestionMessage,
  MessageRef,
  UserTarget,
} from '../../quiz/port.js';
import {
  looksLikeTypedAnswer,
  parseTypedAnswer,
  presentQuestion,
  type Question,
  typingHint,
} from '../../quiz/question.js';
import type {
  Actor,
  AnswerResult,
  ChannelKey,
  PracticeQuestion,
  PracticeResult,
  Quiz,
  ReminderContent,
  Reveal,
  WeeklyDigest,
} from '../../quiz/quiz.js';
import { quoteInput } from '../../quiz/quote.js';
import { CONFIDENCE_PROMPT, confidenceText, offersConfidence } from '../../quiz/render-study.js';
import {
  renderDailyQuestionText,
  renderDigestText,
  renderFeedbackText,
  renderPracticeText,
  renderReminderText,
  renderReplyText,
  renderRevealText,
} from '../../quiz/render-text.js';
import { runCommand } from '../../quiz/replies.js';
import { createAnswerFlow } from '../shared/answer-flow.js';

const LOCAL_WORKSPACE = 'local';
const LOCAL_CHANNEL = 'local';

/** Below this many columns wrapping would do more harm than good: leave lines to the terminal. */
const MIN_COLUMNS = 20;
// A list item ("  B) ", "✓ 2. ", "  - ") continues under its text, not under its label.
const HANGING = /^\s*(?:[✓✗]\s+)?(?:(?:[A-J]|\d{1,2})[.)]\s+|[-•]\s+)?/;

/**
 * Breaks lines at word boundaries to fit `columns`, keeping each line's indentation (and a list
 * item's label) so wrapped text stays readable; a terminal left to itself splits words mid-way.
 */
function wrapToColumns(text: string, columns: number | undefined): string {
  if (!columns || columns < MIN_COLUMNS) return text;
  return text
    .split('\n')
    .map((line) => {
      if (stringWidth(line) <= columns) return line;
      let head = HANGING.exec(line)?.[0] ?? '';
      if (stringWidth(head) > columns / 2) head = /^\s*/.exec(line)?.[0] ?? '';
      const indent = ' '.repeat(stringWidth(head));
      const body = wrapAnsi(line.slice(head.length), columns - indent.length, { hard: true });
      return body
        .split('\n')
        .map((part, i) => (i === 0 ? head : indent) + part)
        .join('\n');
    })
    .join('\n');
}

/**
 * Writes to a terminal, wrapped to its current width (read at each write, so resizing applies).
 * `columns` overrides the width, e.g. for output that is not a terminal.
 */
export function terminalWriter(output: NodeJS.WritableStream, columns?: number): (text: string) => void {
  return (text) => {
    output.write(wrapToColumns(text, columns ?? (output as NodeJS.WriteStream).columns));
  };
}

/** The terminal as a chat platform: everything the bot would post is printed. */
export function createLocalPlatform(write: (text: string) => void): ChatPlatform {
  const say = (text: string) => write(`\n${text}\n`);
  return {
    platform: 'local',
    async postQuestion(_channel: ChannelTarget, message: DailyQuestionMessage): Promise<MessageRef> {
      say(renderDailyQuestionText(message));
      return { postId: message.postId };
    },
    async updateQuestion() {
      // A terminal cannot edit what it printed; the answered count shows up in the reveal.
    },
    async postReveal(_ref: MessageRef, reveal: Reveal) {
      say(renderRevealText(reveal));
    },
    async postDigest(_channel: ChannelTarget, digest: WeeklyDigest) {
      // A terminal shows no image ("aif-quiz digest-preview" draws the chart); the trap's button is a command.
      const practise = digest.traps ? `\n\nTo practise this topic, type: topic ${digest.traps.topic}` : '';
      say(`${renderDigestText(digest)}${practise}`);
      return {};
    },
    async sendReminder(_user: UserTarget, reminder: ReminderContent) {
      say(renderReminderText(reminder));
      return {};
    },
    async sendFeedback(
      _user: UserTarget,
      _channel: ChannelTarget | undefined,
      feedback: AnswerResult | PracticeResult,
    ) {
      say(renderFeedbackText(feedback));
    },
    async sendPractice(_user: UserTarget, _channel: ChannelTarget | undefined, practice: PracticeQuestion) {
      say(renderPracticeText(practice));
    },
  };
}

const REPORT_USAGE = `Here, "report <reason> [what is wrong]" reports the last question shown; the reasons are: ${Object.values(
  REPORT_REASONS,
).join(', ')}.`;

type Current =
  | { kind: 'daily'; postId: string; question: Question }
  | { kind: 'practice'; practice: PracticeQuestion }
  | { kind: 'mock'; view: MockQuestionView };

const questionOf = (current: Current): Question =>
  current.kind === 'daily'
    ? current.question
    : current.kind === 'practice'
      ? current.practice.question
      : current.view.question;

/**
 * A channel `#local` in the terminal, with you as its only member and admin. It posts today's
 * question of the day at once; you answer by typing letters, and every command works with or
 * without the `/aif-quiz` prefix. Resolves when the input ends (Ctrl-D) or on `quit`.
 */
export async function runLocalChannel(options: {
  quiz: Quiz;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  userName: string;
  logger?: Logger;
  /** The terminal's width; by default the output's own, when it is a terminal. */
  columns?: number;
  /** Ends the channel as `quit` does (the CLI aborts it on Ctrl-C and SIGTERM). */
  signal?: AbortSignal;
}): Promise<void> {
  const { quiz } = options;
  const write = terminalWriter(options.output, options.columns);
  const platform = createLocalPlatform(write);
  // A terminal cannot edit what it printed, so there is no answered count to refresh.
  const answers = createAnswerFlow({ quiz });
  const actor: Actor = {
    platform: 'local',
    workspaceId: LOCAL_WORKSPACE,
    userId: options.userName,
    userName: options.userName,
    isPlatformAdmin: true,
  };
  const channel: ChannelKey = {
    platform: 'local',
    workspaceId: LOCAL_WORKSPACE,
    channelId: LOCAL_CHANNEL,
    channelName: '#local',
  };
  const target = { workspaceId: LOCAL_WORKSPACE, channelId: LOCAL_CHANNEL };
  const you = { workspaceId: LOCAL_WORKSPACE, userId: options.userName };
  let current: Current | undefined;
  /** The answer just given (its question and instant), for a following "sure" or "guess". */
  let lastAnswered: { questionId: string; answeredAt?: Date } | undefined;
  /** The last question shown, answered or not: what `report` is about. */
  let lastShown: Question | undefined;

  write(
    [
      'aif-quiz local channel #local — study for AWS Certified AI Practitioner (AIF-C01).',
      'Answer with letters (B, or A,C, or C A B D); type "help" for commands and "quit" to leave.',
      '',
    ].join('\n'),
  );

  // The local channel is always subscribed, so the scheduler and "settings" see it like any other.
  let settings = await quiz.channelSettings(channel);
  if (!settings?.active) settings = await quiz.subscribe(actor, channel, { time: '09:00', days: 'daily' });

  async function showDailyQuestion(): Promise<void> {
    const daily = await quiz.postDailyQuestion(settings?.channelId ?? '');
    const post =
      daily.post.status === 'pending'
        ? await quiz.markPostDelivered(daily.post.id, { postId: daily.post.id })
        : daily.post;
    const state = await quiz.getDailyPost(post.id);
    await platform.postQuestion(target, {
      postId: post.id,
      localDate: post.localDate,
      question: daily.question,
      answered: state?.answered ?? 0,
      closesAt: post.closesAt,
      closed: post.status === 'closed',
      ...(state ? { timezone: state.timezone } : {}),
    });
    current = { kind: 'daily', postId: post.id, question: daily.question };
    lastShown = daily.question;
  }

  /** `report <reason> [what is wrong]`: reports the last question shown, as the menu does in Slack. */
  async function reportLastQuestion(args: string): Promise<void> {
    if (!lastShown) {
      write('\nThere is no question to report yet. Send "today" or "practice" to see one.\n');
      return;
    }
    if (!args) {
      write(`\n${REPORT_USAGE}\n`);
      return;
    }
    // "wrong answer" is the one reason of two words; "wrong-answer" and "wrong_answer" work too.
    const [, reason = '', text = ''] = /^(wrong[\s_-]+answer|\S+)\s*([\s\S]*)$/i.exec(args) ?? [];
    const receipt = await quiz.reportQuestion(actor, {
      questionId: lastShown.id,
      version: lastShown.version,
      reason,
      text,
    });
    write(`\n${reportThanks(receipt)}\n`);
  }

  function showMock(view: MockView): void {
    current = view.kind === 'question' ? { kind: 'mock', view } : undefined;
    write(`\n${renderMockText(view)}\n`);
    if (view.kind === 'question')
      write(
        '\nType your answer, "skip" (or "keep" on a second look), "flag", "unflag", or "mock abandon".\n',
      );
  }

  /** A line typed while a mock exam question is in front of the person; false when it is no mock move. */
  async function mockMove(view: MockQuestionView, text: string): Promise<boolean> {
    const move = { mockId: view.mockId, position: view.position };
    const word = text.toLowerCase();
    try {
      if (word === 'skip' || word === 'keep') showMock(await quiz.skipMock(actor, move));
      else if (word === 'flag' || word === 'unflag')
        showMock(await quiz.flagMock(actor, { ...move, flagged: word === 'flag' }));
      else if (looksLikeTypedAnswer(text))
        showMock(
          await quiz.answerMock(actor, {
            ...move,
            choice: parseTypedAnswer(presentQuestion(view.question), text),
          }),
        );
      else return false;
    } catch (error) {
      if (isAppError(error) && error.code.startsWith('mock.')) current = undefined;
      throw error;
    }
    return true;
  }

  async function handle(line: string): Promise<boolean> {
    const text = line.trim();
    if (/^(quit|exit|bye)$/i.test(text)) return false;
    const stripped = text.replace(/^\/?aif-quiz\b/i, '').trim();
    const report = /^report\b\s*([\s\S]*)$/i.exec(stripped);
    if (report) {
      await reportLastQuestion(report[1]?.trim() ?? '');
      return true;
    }
    if (!current && looksLikeTypedAnswer(stripped)) {
      // A stray letter must not answer (or re-show) anything the person did not ask for.
      write(
        '\nNothing is waiting for an answer. Send "today" to see the question of the day again, or "practice" for a new question.\n',
      );
      return true;
    }
    if (current?.kind === 'mock' && (await mockMove(current.view, stripped))) return true;
    if (current && current.kind !== 'mock' && looksLikeTypedAnswer(stripped)) {
      const question = questionOf(current);
      const choice = parseTypedAnswer(presentQuestion(question), stripped);
      const result =
        current.kind === 'daily'
          ? await answers.recordDaily(actor, { postId: current.postId, choice })
          : await answers.recordPractice(actor, {
              questionId: current.practice.question.id,
              version: current.practice.question.version,
              issueKey: current.practice.issueKey,
              choice,
            });
      await platform.sendFeedback(you, target, result);
      current = undefined;
      lastAnswered = offersConfidence(result)
        ? { questionId: result.question.id, ...(result.answeredAt ? { answeredAt: result.answeredAt } : {}) }
        : undefined;
      write(
        `\n${lastAnswered ? `${CONFIDENCE_PROMPT} Type "sure" or "guess" (optional).\n` : ''}Send "practice" for another question, "stats" for your progress, or "help".\n`,
      );
      return true;
    }
    if (/^(sure|guess(ed)?)$/i.test(stripped)) {
      const sure = /^sure$/i.test(stripped);
      if (!lastAnswered)
        write('\nNothing to mark: type "sure" or "guess" right after answering a question.\n');
      else write(`\n${confidenceText(await quiz.markConfidence(actor, { ...lastAnswered, sure }))}\n`);
      return true;
    }
    if (/^(today|daily)$/i.test(stripped)) {
      await showDailyQuestion();
      return true;
    }
    const command = parseCommand(stripped);
    if (current && command.name === 'invalid' && command.unknown && !command.suggestion) {
      // Whoever has a question in front of them and types something unreadable most likely meant to answer it.
      const question = questionOf(current);
      write(
        `\nI could not read ${quoteInput(stripped)} as an answer or a command. ${typingHint(presentQuestion(question))} Send "help" for commands.\n`,
      );
      return true;
    }
    const reply = await runCommand(quiz, { actor, channel }, command);
    if (reply.kind === 'mock') showMock(reply.view);
    else if (reply.kind === 'practice') {
      current = { kind: 'practice', practice: reply.practice };
      lastShown = reply.practice.question;
      await platform.sendPractice(you, target, reply.practice);
    } else {
      write(`\n${renderReplyText(reply)}\n`);
      if (reply.kind === 'help' && !reply.problem) write(`${REPORT_USAGE}\n`);
    }
    return true;
  }

  await showDailyQuestion();
  write('\n> ');

  const lines = createInterface({ input: options.input, terminal: false });
  // Closing the reader ends the loop below once the line in hand is done, so nothing half-handled.
  const stop = () => lines.close();
  if (options.signal?.aborted) stop();
  options.signal?.addEventListener('abort', stop, { once: true });
  for await (const line of lines) {
    try {
      if (!(await handle(line))) break;
    } catch (error) {
      const coded = publicErrorOf(error);
      if (coded) write(`\n${coded.message}\n`);
      else {
        options.logger?.error({ err: error, line }, 'local channel failed to handle a line');
        write('\nSorry, something went wrong handling that. It has been logged.\n');
      }
    }
    write('\n> ');
  }
  lines.close();
  options.signal?.removeEventListener('abort', stop);
  write('\nBye. Your answers are saved.\n');
}
