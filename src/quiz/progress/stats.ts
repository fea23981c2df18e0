import { domainTitle } from '../../bank/schema.js';
import type { Clock } from '../../clock.js';
import type { ChannelsRepository } from '../channels/channels.repository.js';
import type { KnownPeople } from '../people/known-people.js';
import type { PeopleRepository } from '../people/people.repository.js';
import { localDateOf, type Period, periodRange } from '../schedule.js';
import type { TopicIndex } from '../topic-index.js';
import type {
  Actor,
  ChannelKey,
  Leaderboard,
  PersonalStats,
  RankedRow,
  StudyStats,
  WeakTopic,
} from '../types.js';
import { topicFigures, weakestTopics } from '../weak-topics.js';
import type { AskedPost, ProgressRepository, TopicAttempt } from './progress.repository.js';
import { rank } from './ranking.js';
import { currentStreak, STREAK_LIMIT } from './streak.js';

/** How much of a leaderboard is read and shown: the top, not everyone who ever answered. */
const BOARD_ROWS = 10;

/** What a person the bot has not met yet sees: nothing answered. */
const NO_STATS: PersonalStats = {
  answered: 0,
  correct: 0,
  accuracy: null,
  points: 0,
  streak: 0,
  rank: null,
  rankedPeople: 0,
  byDomain: [],
  weakTopics: [],
};

export interface StatsDeps {
  progress: ProgressRepository;
  channels: ChannelsRepository;
  peopleRepository: PeopleRepository;
  people: KnownPeople;
  topics: TopicIndex;
  clock: Clock;
  defaultTimezone: string;
  /** The learning engine's part of `stats`: readiness, coverage, trend, exam pace. */
  studyStats(userId: string, timezone: string | null): Promise<StudyStats>;
}

/** Leaderboards, personal stats and weak topics: reads only, which never create a row. */
export function createStats(deps: StatsDeps) {
  const { progress, clock, topics } = deps;

  /** The top of a channel's board, from the running totals: one row per person, whatever the history. */
  async function channelBoard(channelId: string, period: Period, timezone: string): Promise<RankedRow[]> {
    const { from } = periodRange(period, clock.now(), timezone);
    const start = localDateOf(from, timezone);
    return rank(await progress.channelBoard(channelId, period, start, BOARD_ROWS));
  }

  /** The top of a workspace's board, from its own running totals: the top rows of an index. */
  async function workspaceBoard(workspaceId: string, period: Period): Promise<RankedRow[]> {
    const timezone = deps.defaultTimezone;
    const start = localDateOf(periodRange(period, clock.now(), timezone).from, timezone);
    return rank(await progress.workspaceBoard(workspaceId, period, start, BOARD_ROWS));
  }

  /**
   * A person's best current streak over the channels they answered in, from the answers read for
   * their stats and each channel's newest questions (read alongside): no walk through the history.
   */
  function streakOf(attempts: TopicAttempt[], asked: AskedPost[]): number {
    const answered = new Set(attempts.flatMap((a) => (a.postId ? [a.postId] : [])));
    const byChannel = new Map<string, AskedPost[]>();
    for (const post of asked) byChannel.set(post.channelId, [...(byChannel.get(post.channelId) ?? []), post]);
    let best = 0;
    for (const newestFirst of byChannel.values()) best = Math.max(best, currentStreak(newestFirst, answered));
    return best;
  }

  const titled = (figures: ReturnType<typeof weakestTopics>): WeakTopic[] =>
    figures.map((f) => ({ ...f, title: topics.titleOf(f.topic) }));

  return {
    async leaderboard(
      key: ChannelKey,
      options: { period: Period; scope?: 'channel' | 'workspace' },
    ): Promise<Leaderboard> {
      const scope = options.scope ?? 'channel';
      if (scope === 'workspace') {
        const workspace = await deps.peopleRepository.findWorkspace(key.platform, key.workspaceId);
        return {
          scope,
          period: options.period,
          timezone: deps.defaultTimezone,
          rows: workspace ? await workspaceBoard(workspace.id, options.period) : [],
        };
      }
      const channel = await deps.channels.findByPlace(key.platform, key.workspaceId, key.channelId);
      const timezone = channel?.timezone ?? deps.defaultTimezone;
      return {
        scope,
        period: options.period,
        timezone,
        rows: channel ? await channelBoard(channel.id, options.period, timezone) : [],
      };
    },

    async personalStats(actor: Actor): Promise<PersonalStats> {
      const user = await deps.people.knownUserOf(actor);
      if (!user) return NO_STATS;
      const [attempts, place, asked, study] = await Promise.all([
        progress.attempts(user.id),
        progress.workspaceRankOf(user.workspaceId, user.id),
        progress.askedPostsFor(user.id, STREAK_LIMIT),
        deps.studyStats(user.id, user.timezone),
      ]);
      const streak = streakOf(attempts, asked);
      const correct = attempts.filter((a) => a.correct).length;
      const domains = new Map<number, { answered: number; correct: number }>();
      for (const a of attempts) {
        const d = domains.get(a.domain) ?? { answered: 0, correct: 0 };
        d.answered++;
        if (a.correct) d.correct++;
        domains.set(a.domain, d);
      }
      return {
        study,
        answered: attempts.length,
        correct,
        accuracy: attempts.length ? correct / attempts.length : null,
        points: place.points,
        streak,
        rank: place.rank,
        rankedPeople: place.ranked,
        byDomain: [...domains.entries()]
          .sort(([a], [b]) => a - b)
          .map(([domain, d]) => ({
            domain,
            title: domainTitle(domain),
            answered: d.answered,
            accuracy: d.correct / d.answered,
          })),
        weakTopics: titled(weakestTopics(topicFigures(attempts, clock.now()))),
      };
    },

    async weakTopics(actor: Actor): Promise<WeakTopic[]> {
      const user = await deps.people.knownUserOf(actor);
      if (!user) return [];
      return titled(weakestTopics(topicFigures(await progress.attempts(user.id), clock.now())));
    },
  };
}
