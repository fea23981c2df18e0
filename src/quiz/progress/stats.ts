import { domainTitle } from '../../bank/schema.js';
import type { Clock } from '../../clock.js';
import type { ChannelsRepository } from '../channels/channels.repository.js';
import type { AnswersRepository } from '../daily/answers.repository.js';
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
import type { ProgressRepository } from './progress.repository.js';
import { rank } from './ranking.js';

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
  answers: AnswersRepository;
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

  /** The top of a board, from the running totals: one row per person, whatever the history. */
  async function rankIn(channelIds: string[], period: Period, timezone: string): Promise<RankedRow[]> {
    const { from } = periodRange(period, clock.now(), timezone);
    const start = localDateOf(from, timezone);
    return rank(await progress.totalsBoard(channelIds, period, start, BOARD_ROWS));
  }

  /** A person's best current streak over the channels they answered in. */
  async function streakOf(userId: string): Promise<number> {
    let best = 0;
    for (const channelId of await deps.answers.channelsAnsweredIn(userId))
      best = Math.max(best, (await progress.streaksIn(channelId, [userId])).get(userId) ?? 0);
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
        const channelIds = workspace ? await deps.channels.channelIdsOfWorkspace(workspace.id) : [];
        return {
          scope,
          period: options.period,
          timezone: deps.defaultTimezone,
          rows: channelIds.length ? await rankIn(channelIds, options.period, deps.defaultTimezone) : [],
        };
      }
      const channel = await deps.channels.findByPlace(key.platform, key.workspaceId, key.channelId);
      const timezone = channel?.timezone ?? deps.defaultTimezone;
      return {
        scope,
        period: options.period,
        timezone,
        rows: channel ? await rankIn([channel.id], options.period, timezone) : [],
      };
    },

    async personalStats(actor: Actor): Promise<PersonalStats> {
      const user = await deps.people.knownUserOf(actor);
      if (!user) return NO_STATS;
      const attempts = await progress.attempts(user.id);
      const correct = attempts.filter((a) => a.correct).length;
      const domains = new Map<number, { answered: number; correct: number }>();
      for (const a of attempts) {
        const d = domains.get(a.domain) ?? { answered: 0, correct: 0 };
        d.answered++;
        if (a.correct) d.correct++;
        domains.set(a.domain, d);
      }
      const [place, points, streak, study] = await Promise.all([
        deps.channels
          .channelIdsOfWorkspace(user.workspaceId)
          .then((ids) => progress.allTimeRankOf(ids, user.id)),
        deps.answers.totalPointsOf([user.id]),
        streakOf(user.id),
        deps.studyStats(user.id, user.timezone),
      ]);
      return {
        study,
        answered: attempts.length,
        correct,
        accuracy: attempts.length ? correct / attempts.length : null,
        points: points.get(user.id) ?? 0,
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
