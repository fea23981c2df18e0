import type { Topic } from '../bank/schema.js';
import { AppError, isAppError } from '../errors.js';
import type { MockView } from '../learning/mock/mock.types.js';
import type { Command } from './commands.js';
import type { Quiz } from './quiz.js';
import type {
  Actor,
  ChannelKey,
  ChannelSettings,
  Leaderboard,
  PersonalStats,
  PracticeQuestion,
  UserSettings,
} from './types.js';

/** What the bot answers to a command, before any platform renders it. */
export type Reply =
  | { kind: 'help'; problem?: string; suggestion?: string }
  | { kind: 'topics'; topics: Topic[] }
  | { kind: 'practice'; practice: PracticeQuestion }
  | { kind: 'stats'; stats: PersonalStats }
  | { kind: 'leaderboard'; leaderboard: Leaderboard }
  | { kind: 'subscribed'; settings: ChannelSettings }
  | { kind: 'unsubscribed'; settings: ChannelSettings }
  | { kind: 'settings'; user: UserSettings; channel?: ChannelSettings }
  | { kind: 'notice'; text: string }
  | { kind: 'exam'; exam: Awaited<ReturnType<Quiz['exam']>> }
  | { kind: 'forget-me'; erased: boolean }
  /** A mock exam's question or report: always shown privately. */
  | { kind: 'mock'; view: MockView }
  | { kind: 'error'; code: string; message: string };

/** Whether a reply is for everyone in the channel (a subscription change) or only for the person who asked. */
export function isChannelReply(reply: Reply): boolean {
  return reply.kind === 'subscribed' || reply.kind === 'unsubscribed';
}

export interface CommandContext {
  actor: Actor;
  /** Where the command was typed; undefined in a private chat with the bot. */
  channel?: ChannelKey;
}

/**
 * Runs one parsed command against the quiz: the one place Slack, Teams and the terminal share.
 * A coded error becomes an `error` reply the person can act on; anything else is a bug and is
 * thrown to the platform's error sink.
 */
export async function runCommand(quiz: Quiz, context: CommandContext, command: Command): Promise<Reply> {
  try {
    return await dispatch(quiz, context, command);
  } catch (error) {
    if (isAppError(error)) return { kind: 'error', code: error.code, message: error.message };
    throw error;
  }
}

async function dispatch(quiz: Quiz, { actor, channel }: CommandContext, command: Command): Promise<Reply> {
  const needChannel = (what: string): ChannelKey => {
    if (channel) return channel;
    throw new AppError('quiz.channel_only', `Use this in the channel you want to ${what}.`);
  };
  switch (command.name) {
    case 'help':
      return { kind: 'help' };
    case 'invalid':
      return {
        kind: 'help',
        problem: command.problem,
        ...(command.suggestion ? { suggestion: command.suggestion } : {}),
      };
    case 'topics':
      return { kind: 'topics', topics: quiz.topics() };
    case 'practice':
      return { kind: 'practice', practice: await quiz.practice(actor) };
    case 'topic':
      return { kind: 'practice', practice: await quiz.practice(actor, command.slug) };
    case 'stats':
      return { kind: 'stats', stats: await quiz.personalStats(actor) };
    case 'exam':
      return { kind: 'exam', exam: await quiz.exam(actor, command.date) };
    case 'review': {
      const practice = await quiz.review(actor);
      return practice
        ? { kind: 'practice', practice }
        : {
            kind: 'notice',
            text: 'No mistakes to review from the last 30 days. Send "practice" for your next question.',
          };
    }
    case 'leaderboard': {
      const where = channel ?? { platform: actor.platform, workspaceId: actor.workspaceId, channelId: '' };
      const scope = channel ? command.scope : 'workspace';
      return {
        kind: 'leaderboard',
        leaderboard: await quiz.leaderboard(where, { period: command.period, scope }),
      };
    }
    case 'subscribe':
      return {
        kind: 'subscribed',
        settings: await quiz.subscribe(actor, needChannel('subscribe'), {
          time: command.time,
          ...(command.timezone ? { timezone: command.timezone } : {}),
          ...(command.days ? { days: command.days } : {}),
        }),
      };
    case 'unsubscribe':
      return { kind: 'unsubscribed', settings: await quiz.unsubscribe(actor, needChannel('unsubscribe')) };
    case 'digest': {
      const settings = await quiz.configureChannel(actor, needChannel('set the digest'), {
        digestDay: command.day,
        digestTime: command.time,
      });
      return {
        kind: 'notice',
        text: `The weekly digest will be posted here on ${dayName(settings.digestDay)}s at ${settings.digestTime} (${settings.timezone}).`,
      };
    }
    case 'settings': {
      const channelSettings = channel ? await quiz.channelSettings(channel) : undefined;
      return {
        kind: 'settings',
        user: await quiz.settings(actor),
        ...(channelSettings ? { channel: channelSettings } : {}),
      };
    }
    case 'reminders': {
      const settings = await quiz.setReminders(actor, command.value);
      return {
        kind: 'notice',
        text:
          settings.reminders === 'off'
            ? 'Reminders are off. Send "reminders on" to get them again.'
            : `Reminders are on, ${settings.reminders}.`,
      };
    }
    case 'snooze': {
      const settings = await quiz.snooze(actor, command.days);
      return {
        kind: 'notice',
        text: `Reminders are paused until ${settings.snoozedUntil?.toISOString().slice(0, 10)}.`,
      };
    }
    case 'optout':
      await quiz.setLeaderboardOptOut(actor, true);
      return {
        kind: 'notice',
        text: 'You are off the leaderboards. Your answers still count for your own stats. Send "optin" to come back.',
      };
    case 'optin':
      await quiz.setLeaderboardOptOut(actor, false);
      return { kind: 'notice', text: 'You are back on the leaderboards.' };
    case 'timezone': {
      const settings = await quiz.setTimezone(actor, command.timezone);
      return { kind: 'notice', text: `Your timezone is now ${settings.timezone}; reminders follow it.` };
    }
    case 'mock': {
      if (command.action !== 'abandon')
        return { kind: 'mock', view: await quiz.startMock(actor, { fresh: command.action === 'new' }) };
      const { answered, total } = await quiz.abandonMock(actor);
      return {
        kind: 'notice',
        text: `Mock exam abandoned after ${answered} of ${total} answers; it gets no score. Send "mock" to start a new one.`,
      };
    }
    case 'forget-me':
      return { kind: 'forget-me', erased: (await quiz.forgetMe(actor, command.confirmed)).erased };
  }
}

const DAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
export function dayName(isoDay: number): string {
  return DAY_NAMES[isoDay - 1] ?? `day ${isoDay}`;
}
