import { DateTime } from 'luxon';
import type { TeamReadinessSummary } from '../learning/team-readiness.js';
import type { InsightChannel, InsightRepository } from './insight.repository.js';

/** How many weeks the digest chart looks back. */
export const CHART_WEEKS = 8;

/**
 * Domain names short enough for a chart's row labels at Slack's preview size; the exam guide's
 * full titles are in `src/bank/schema.ts`.
 */
export const SHORT_DOMAIN_NAMES: Record<number, string> = {
  0: 'D0 AWS basics',
  1: 'D1 AI & ML',
  2: 'D2 Generative AI',
  3: 'D3 FM apps',
  4: 'D4 Responsible AI',
  5: 'D5 Security',
};

export interface ChartWeek {
  /** Monday of the channel-local ISO week, YYYY-MM-DD. */
  start: string;
  /** ISO week, e.g. 2026-W45. */
  isoWeek: string;
  /** Different people who answered anything that week. */
  people: number;
  /**
   * The team's readiness at the week's end (or at the digest, for a week in progress), over the
   * channel's members; absent when fewer than three of them had a verdict then.
   */
  readiness?: TeamReadinessSummary;
}

export interface ChartCell {
  weekStart: string;
  domain: number;
  /** Questions of the day asked in this domain that week (0: none, the cell is empty). */
  questions: number;
  answers: number;
  correct: number;
}

/** Everything the digest chart shows, and its text alternative lists. */
export interface DigestChartData {
  channelName: string;
  weeks: ChartWeek[];
  /** The exam domains 1–5, and background (0) only when it was asked. */
  domains: number[];
  /** One cell per week and domain, empty ones included, weeks oldest first. */
  cells: ChartCell[];
}

/**
 * The weeks a digest posted at `at` charts: the CHART_WEEKS channel-local ISO weeks ending with the
 * one that holds the day before `at`. A Monday digest thus ends with the week just finished; a
 * digest later in the week ends with the week in progress.
 */
export function chartWeeksAt(
  at: Date,
  timezone: string,
): { fromDate: string; toDate: string; weeks: Array<{ start: string; isoWeek: string; end: Date }> } {
  const lastMonday = DateTime.fromJSDate(at, { zone: timezone }).minus({ days: 1 }).startOf('week');
  const weeks = Array.from({ length: CHART_WEEKS }, (_, i) => {
    const monday = lastMonday.minus({ weeks: CHART_WEEKS - 1 - i });
    return {
      start: monday.toISODate() ?? '',
      isoWeek: `${monday.weekYear}-W${String(monday.weekNumber).padStart(2, '0')}`,
      // The week's end, or the digest's moment while the week is still running.
      end: new Date(Math.min(monday.plus({ weeks: 1 }).toMillis(), at.getTime())),
    };
  });
  return {
    fromDate: weeks[0]?.start ?? '',
    toDate: lastMonday.plus({ days: 6 }).toISODate() ?? '',
    weeks,
  };
}

/** Reads the chart's figures for a channel as of `at`. */
export async function loadDigestChartData(
  repository: InsightRepository,
  channel: InsightChannel,
  at: Date,
): Promise<DigestChartData> {
  const range = chartWeeksAt(at, channel.timezone);
  const [{ cells, people }, readiness] = await Promise.all([
    repository.domainWeeks({ channelId: channel.id, fromDate: range.fromDate, toDate: range.toDate }),
    repository.memberIds(channel.id).then((members) =>
      repository.teamReadinessAt(
        members,
        range.weeks.map((w) => w.end),
      ),
    ),
  ]);
  const peopleByWeek = new Map(people.map((p) => [p.weekStart, p.people]));
  const domains = [1, 2, 3, 4, 5];
  if (cells.some((c) => c.domain === 0)) domains.unshift(0);
  const found = new Map(cells.map((c) => [`${c.weekStart}:${c.domain}`, c]));
  return {
    channelName: channel.name ?? channel.externalId,
    weeks: range.weeks.map(({ start, isoWeek }, i) => {
      const team = readiness[i];
      return { start, isoWeek, people: peopleByWeek.get(start) ?? 0, ...(team ? { readiness: team } : {}) };
    }),
    domains,
    cells: range.weeks.flatMap((w) =>
      domains.map(
        (domain) =>
          found.get(`${w.start}:${domain}`) ?? {
            weekStart: w.start,
            domain,
            questions: 0,
            answers: 0,
            correct: 0,
          },
      ),
    ),
  };
}

/** Whether any week has a team readiness: without one, the chart leaves its readiness panel out. */
export function hasReadinessTrend(data: DigestChartData): boolean {
  return data.weeks.some((w) => w.readiness !== undefined);
}

const percent = (correct: number, answers: number) => `${Math.round((100 * correct) / answers)}%`;

/**
 * The chart in words, for screen readers and for places that show no image: every figure the
 * chart shows, week by week.
 */
export function describeDigestChart(data: DigestChartData): string {
  const lines = [
    `Last ${data.weeks.length} weeks in ${data.channelName}: people who answered, and per exam domain the share of correct answers (correct/answers).`,
  ];
  for (const week of data.weeks) {
    const parts = data.cells
      .filter((c) => c.weekStart === week.start)
      .map((c) => {
        const name = SHORT_DOMAIN_NAMES[c.domain] ?? `D${c.domain}`;
        if (c.questions === 0) return `${name}: not asked`;
        if (c.answers === 0) return `${name}: no answers`;
        return `${name}: ${c.correct}/${c.answers} (${percent(c.correct, c.answers)})`;
      });
    lines.push(
      `${week.isoWeek} (from ${week.start}): ${week.people} ${week.people === 1 ? 'person' : 'people'} answered. ${parts.join('; ')}.`,
    );
  }
  if (hasReadinessTrend(data)) {
    const weeks = data.weeks.map((w) =>
      w.readiness
        ? `${w.isoWeek}: ${w.readiness.median} (${w.readiness.predictedToPass} of ${w.readiness.people} predicted to pass)`
        : `${w.isoWeek}: too few people with enough answers`,
    );
    lines.push(
      `Team readiness at each week's end, the median predicted score from 100 to 1000 (700 passes): ${weeks.join('; ')}.`,
    );
  }
  return lines.join('\n');
}
