import { editDistance } from '../config.js';
import { quoteInput } from './quote.js';
import type { Period } from './schedule.js';

/** Everything a person can ask the bot, typed the same way in Slack, Teams and the terminal. */
export type Command =
  | { name: 'help' }
  | { name: 'practice' }
  | { name: 'topic'; slug: string }
  | { name: 'topics' }
  | { name: 'stats' }
  | { name: 'review' }
  | { name: 'exam'; date: string }
  | { name: 'leaderboard'; period: Period; scope: 'channel' | 'workspace' }
  | { name: 'subscribe'; time: string; timezone?: string; days?: string }
  | { name: 'unsubscribe' }
  | { name: 'digest'; day: string; time: string }
  | { name: 'settings' }
  | { name: 'reminders'; value: 'on' | 'off' | 'daily' | 'weekly' }
  | { name: 'snooze'; days: number }
  | { name: 'optout' }
  | { name: 'optin' }
  | { name: 'timezone'; timezone: string }
  | { name: 'forget-me'; confirmed: boolean }
  | { name: 'mock'; action: 'resume' | 'new' | 'abandon' }
  | {
      name: 'invalid';
      input: string;
      problem: string;
      suggestion?: string;
      /** The first word names no command at all (rather than a command used wrongly). */
      unknown?: true;
    };

export const COMMAND_HELP: Array<{ usage: string; does: string; admin?: boolean }> = [
  {
    usage: 'practice',
    does: 'a private practice question: reviews due first, then your weakest topic, then new ones',
  },
  { usage: 'topic <slug>', does: 'practise one topic' },
  { usage: 'topics', does: 'list the topics, by exam domain' },
  { usage: 'review', does: 'answer one of your recent mistakes again, those due for review first' },
  {
    usage: 'stats',
    does: 'your predicted score, coverage of the bank, last four weeks, exam pace, weakest topics',
  },
  { usage: 'exam <YYYY-MM-DD> | exam off', does: 'your exam date: stats and reminders pace you to it' },
  {
    usage: 'mock [new|abandon]',
    does: 'a private timed mock exam (65 questions, 90 minutes); "mock" again resumes it',
  },
  {
    usage: 'leaderboard [week|month|all] [workspace]',
    does: "this channel's leaders (or the whole workspace's)",
  },
  { usage: 'settings', does: "your reminder settings and this channel's schedule" },
  {
    usage: 'reminders on|off|daily|weekly',
    does: 'a question in a private message (daily as your exam nears)',
  },
  { usage: 'snooze <days>', does: 'pause reminders for a few days' },
  { usage: 'timezone <Area/City>', does: 'your timezone, for reminders' },
  { usage: 'optout | optin', does: 'leave or rejoin the leaderboards' },
  { usage: 'forget-me', does: 'erase everything the bot stores about you' },
  {
    usage: 'subscribe <HH:MM> [Area/City] [weekdays|daily|mon,wed,fri]',
    does: 'post a question of the day here',
    admin: true,
  },
  { usage: 'digest <day> <HH:MM>', does: "when this channel's weekly digest is posted", admin: true },
  { usage: 'unsubscribe', does: 'stop the question of the day here', admin: true },
];

const NAMES = [
  'help',
  'practice',
  'topic',
  'topics',
  'stats',
  'review',
  'exam',
  'leaderboard',
  'subscribe',
  'unsubscribe',
  'digest',
  'settings',
  'reminders',
  'snooze',
  'optout',
  'optin',
  'timezone',
  'forget-me',
  'mock',
];

const ALIASES: Record<string, string> = {
  '': 'practice',
  quiz: 'practice',
  question: 'practice',
  '?': 'help',
  me: 'stats',
  mistakes: 'review',
  rank: 'leaderboard',
  leaders: 'leaderboard',
  'opt-out': 'optout',
  'opt-in': 'optin',
  forgetme: 'forget-me',
  forget: 'forget-me',
  tz: 'timezone',
  'mock-exam': 'mock',
};

/**
 * Turns what someone typed into a command. Never throws: anything it cannot read becomes an
 * `invalid` command saying what is wrong, with a "did you mean" when a command name is close.
 *
 * @example parseCommand('/aif-quiz subscribe 09:00 Europe/Berlin weekdays')
 */
export function parseCommand(input: string): Command {
  const text = String(input ?? '')
    .replace(/^\s*\/?aif-quiz\b/i, '')
    .trim();
  const [rawWord = '', ...args] = text.split(/\s+/).filter(Boolean);
  const word = rawWord.toLowerCase();
  const name = ALIASES[word] ?? word;
  const invalid = (problem: string, suggestion?: string): Command => ({
    name: 'invalid',
    input: text,
    problem,
    ...(suggestion ? { suggestion } : {}),
  });
  const noArgs = (command: Command): Command =>
    args.length === 0 ? command : invalid(`"${name}" takes nothing after it.`);

  switch (name) {
    case 'help':
      return { name: 'help' };
    case 'practice':
      return noArgs({ name: 'practice' });
    case 'topics':
      return noArgs({ name: 'topics' });
    case 'stats':
      return noArgs({ name: 'stats' });
    case 'review':
      return noArgs({ name: 'review' });
    case 'exam':
      if (args.length > 1) return invalid('Give one date, e.g. "exam 2027-01-15", or "exam off".');
      return { name: 'exam', date: args[0] ?? '' };
    case 'settings':
      return noArgs({ name: 'settings' });
    case 'unsubscribe':
      return noArgs({ name: 'unsubscribe' });
    case 'optout':
      return noArgs({ name: 'optout' });
    case 'optin':
      return noArgs({ name: 'optin' });
    case 'topic': {
      const slug = args[0]?.toLowerCase();
      if (!slug || args.length > 1)
        return invalid('Name one topic, e.g. "topic rag-knowledge-bases". Send "topics" to list them.');
      return { name: 'topic', slug };
    }
    case 'leaderboard': {
      let period: Period = 'week';
      let scope: 'channel' | 'workspace' = 'channel';
      for (const arg of args.map((a) => a.toLowerCase())) {
        if (arg === 'week' || arg === 'month' || arg === 'all') period = arg;
        else if (arg === 'alltime' || arg === 'all-time') period = 'all';
        else if (arg === 'workspace' || arg === 'team' || arg === 'everyone') scope = 'workspace';
        else if (arg === 'channel') scope = 'channel';
        else return invalid(`${quoteInput(arg)} is not a period: use week, month or all.`);
      }
      return { name: 'leaderboard', period, scope };
    }
    case 'subscribe': {
      const [time, ...rest] = args;
      if (!time) return invalid('Say when to post, e.g. "subscribe 09:00 Europe/Berlin weekdays".');
      if (!/^\d{1,2}[:.h]\d{2}$/.test(time))
        return invalid(`${quoteInput(time)} is not a time of day; use HH:MM, e.g. "subscribe 09:00".`);
      let timezone: string | undefined;
      let days: string | undefined;
      for (const arg of rest) {
        if (arg.includes('/') || arg.toUpperCase() === 'UTC') {
          if (timezone) return invalid('Give one timezone only.');
          timezone = arg.toUpperCase() === 'UTC' ? 'UTC' : arg;
        } else {
          days = days ? `${days},${arg}` : arg;
        }
      }
      return { name: 'subscribe', time, ...(timezone ? { timezone } : {}), ...(days ? { days } : {}) };
    }
    case 'digest': {
      const [day, time] = args;
      if (!day || !time || args.length > 2) return invalid('Say the day and time, e.g. "digest mon 09:00".');
      return { name: 'digest', day, time };
    }
    case 'reminders': {
      const value = args[0]?.toLowerCase();
      if (
        args.length !== 1 ||
        !(value === 'on' || value === 'off' || value === 'daily' || value === 'weekly')
      ) {
        return invalid('Use "reminders on", "reminders off", "reminders daily" or "reminders weekly".');
      }
      return { name: 'reminders', value };
    }
    case 'snooze': {
      const days = Number(args[0]?.replace(/d(ays?)?$/i, ''));
      if (args.length !== 1 || !Number.isInteger(days) || days < 1 || days > 90)
        return invalid('Snooze for 1 to 90 days, e.g. "snooze 7".');
      return { name: 'snooze', days };
    }
    case 'timezone': {
      if (args.length !== 1) return invalid('Give your timezone as Area/City, e.g. "timezone Europe/Paris".');
      return { name: 'timezone', timezone: args[0] as string };
    }
    case 'forget-me': {
      if (args.length === 0) return { name: 'forget-me', confirmed: false };
      if (args.length === 1 && args[0]?.toLowerCase() === 'confirm')
        return { name: 'forget-me', confirmed: true };
      return invalid('Send "forget-me" to see what would be erased, then "forget-me confirm".');
    }
    case 'mock': {
      const arg = args[0]?.toLowerCase();
      if (args.length === 0) return { name: 'mock', action: 'resume' };
      if (args.length === 1 && (arg === 'new' || arg === 'start')) return { name: 'mock', action: 'new' };
      if (args.length === 1 && (arg === 'abandon' || arg === 'stop' || arg === 'end'))
        return { name: 'mock', action: 'abandon' };
      return invalid('Send "mock" to start or resume a mock exam, or "mock abandon" to end it.');
    }
    default: {
      const suggestion = closestCommand(word);
      return {
        name: 'invalid',
        input: text,
        problem: `I don't know ${quoteInput(rawWord)}.`,
        ...(suggestion ? { suggestion } : {}),
        unknown: true,
      };
    }
  }
}

function closestCommand(word: string): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of [...NAMES, ...Object.keys(ALIASES).filter(Boolean)]) {
    const distance = editDistance(word, candidate);
    if (distance <= (candidate.length >= 5 ? 2 : 1) && (!best || distance < best.distance)) {
      best = { name: ALIASES[candidate] ?? candidate, distance };
    }
  }
  return best?.name;
}
