import { domainTitle } from '../../bank/schema.js';
import type { Clock } from '../../clock.js';
import { channelErrors } from '../channels/channels.errors.js';
import type { ChannelsRepository } from '../channels/channels.repository.js';
import type { QuestionVersions } from '../questions/question-versions.js';
import { isoWeekOf, localDateOf } from '../schedule.js';
import type { TeamReadiness, WeeklyDigest } from '../types.js';
import type { ProgressRepository } from './progress.repository.js';
import { rank } from './ranking.js';

const WEEK_MS = 7 * 86_400_000;
/** A streak this long is worth a mention in the digest. */
const NOTABLE_STREAK = 3;

export interface WeeklyDigestDeps {
  progress: ProgressRepository;
  channels: ChannelsRepository;
  versions: QuestionVersions;
  clock: Clock;
  /** The team's readiness over these people (undefined when too few have enough answers). */
  teamReadiness(userIds: string[], now: Date): Promise<TeamReadiness | undefined>;
}

type PostFigures = { answered: number | string; correct: number | string };
const accuracyOf = (p: PostFigures) => Number(p.correct) / Number(p.answered);

/** The week before now in a channel: leaders, participation, the hardest question, the weakest domain. */
export function createWeeklyDigest(deps: WeeklyDigestDeps) {
  return async function weeklyDigest(channelId: string): Promise<WeeklyDigest> {
    const channel = await deps.channels.getChannel(channelId);
    if (!channel) throw channelErrors.unknownChannel();
    const now = deps.clock.now();
    const from = new Date(now.getTime() - WEEK_MS);
    const fromDate = localDateOf(from, channel.timezone);
    const toDate = localDateOf(now, channel.timezone);
    // The team's readiness, the longest read, starts as soon as the members are known.
    const membersRead = deps.progress.membersWithStreaks(channelId);
    const [board, asked, members, readiness] = await Promise.all([
      deps.progress.leaderboard(channelId, { from, to: now, fromDate, toDate }),
      deps.progress.channelPostsBetween(channelId, fromDate, toDate),
      membersRead,
      membersRead.then((found) =>
        deps.teamReadiness(
          found.map((m) => m.userId),
          now,
        ),
      ),
    ]);
    const withAnswers = asked.filter((p) => Number(p.answered) > 0);
    const hardestRow = [...withAnswers].sort(
      (a, b) => accuracyOf(a) - accuracyOf(b) || Number(b.answered) - Number(a.answered),
    )[0];
    const domainTotals = new Map<number, { answered: number; correct: number }>();
    for (const p of withAnswers) {
      const d = domainTotals.get(p.domain) ?? { answered: 0, correct: 0 };
      d.answered += Number(p.answered);
      d.correct += Number(p.correct);
      domainTotals.set(p.domain, d);
    }
    const weakest = [...domainTotals.entries()].sort(([, a], [, b]) => accuracyOf(a) - accuracyOf(b))[0];
    const streaks = members
      .map((m) => ({ name: m.name, streak: m.streak }))
      .filter((s) => s.streak >= NOTABLE_STREAK)
      .sort((a, b) => b.streak - a.streak || a.name.localeCompare(b.name));
    return {
      channelId,
      week: isoWeekOf(from, channel.timezone),
      from,
      to: now,
      top: rank(board).slice(0, 10),
      questionsAsked: asked.length,
      activePeople: board.length,
      members: members.length,
      ...(hardestRow
        ? {
            hardest: {
              question: await deps.versions.get(hardestRow),
              answered: Number(hardestRow.answered),
              correct: Number(hardestRow.correct),
            },
          }
        : {}),
      ...(weakest
        ? {
            weakestDomain: {
              domain: weakest[0],
              title: domainTitle(weakest[0]),
              accuracy: accuracyOf(weakest[1]),
              answered: weakest[1].answered,
            },
          }
        : {}),
      streaks: streaks.slice(0, 5),
      ...(readiness ? { readiness } : {}),
    };
  };
}
