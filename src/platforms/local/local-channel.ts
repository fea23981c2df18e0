import { createInterface } from 'node:readline';
import { publicErrorOf } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { parseCommand } from '../../quiz/commands.js';
import type {
  ChannelTarget,
  ChatPlatform,
  DailyQuestionMessage,
  MessageRef,
  UserTarget,
} from '../../quiz/port.js';
import { parseTypedAnswer, presentQuestion, type Question } from '../../quiz/question.js';
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

export const LOCAL_WORKSPACE = 'local';
export const LOCAL_CHANNEL = 'local';

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
      say(renderDigestText(digest));
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

type Current =
  | { kind: 'daily'; postId: string; question: Question }
  | { kind: 'practice'; practice: PracticeQuestion };

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
  /** Ends the channel as `quit` does (the CLI aborts it on Ctrl-C and SIGTERM). */
  signal?: AbortSignal;
}): Promise<void> {
  const { quiz, output } = options;
  const write = (text: string) => output.write(text);
  const platform = createLocalPlatform(write);
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
    });
    current = { kind: 'daily', postId: post.id, question: daily.question };
  }

  async function handle(line: string): Promise<boolean> {
    const text = line.trim();
    if (/^(quit|exit|bye)$/i.test(text)) return false;
    const stripped = text.replace(/^\/?aif-quiz\b/i, '').trim();
    if (!current && looksLikeAnswer(stripped)) {
      // No question in hand: letters answer today's question of the day (again, if need be).
      const daily = await quiz.postDailyQuestion(settings?.channelId ?? '');
      current = { kind: 'daily', postId: daily.post.id, question: daily.question };
    }
    if (current && looksLikeAnswer(stripped)) {
      const question = current.kind === 'daily' ? current.question : current.practice.question;
      const choice = parseTypedAnswer(presentQuestion(question), stripped);
      if (current.kind === 'daily') {
        await platform.sendFeedback(you, target, await quiz.recordAnswer(actor, current.postId, choice));
      } else {
        const { practice } = current;
        await platform.sendFeedback(
          you,
          target,
          await quiz.answerPractice(actor, {
            questionId: practice.question.id,
            version: practice.question.version,
            issueKey: practice.issueKey,
            choice,
          }),
        );
      }
      current = undefined;
      write('\nSend "practice" for another question, "stats" for your progress, or "help".\n');
      return true;
    }
    if (/^(today|daily)$/i.test(stripped)) {
      await showDailyQuestion();
      return true;
    }
    const reply = await runCommand(quiz, { actor, channel }, parseCommand(stripped));
    if (reply.kind === 'practice') {
      current = { kind: 'practice', practice: reply.practice };
      await platform.sendPractice(you, target, reply.practice);
    } else {
      write(`\n${renderReplyText(reply)}\n`);
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

/** Letters only (with separators), or numbered pairs: the shape of an answer rather than a command. */
function looksLikeAnswer(text: string): boolean {
  const t = text.trim().toUpperCase();
  return (
    /^[A-J]$/.test(t) ||
    /^[A-J](\s*[,;\s]\s*[A-J])+$/.test(t) ||
    /^[A-J]{2,5}$/.test(t) ||
    /^(\d\s*[-:=.)]?\s*[A-J][\s,;]*)+$/.test(t)
  );
}
