import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderDigestChart, renderSvg, renderSvgUncached } from '../../src/insight/digest-chart.js';
import { describeDigestChart, loadDigestChartData } from '../../src/insight/digest-chart-data.js';
import { createInsightRepository, type InsightChannel } from '../../src/insight/insight.repository.js';
import { createReviewsRepository } from '../../src/learning/reviews.repository.js';
import { summariseTeamReadiness } from '../../src/learning/team-readiness.js';
import { createInsightDatabase, pngHeader } from './seed.js';

type Setup = Awaited<ReturnType<typeof createInsightDatabase>>;
let t: Setup;
let team: InsightChannel;
let pair: InsightChannel;
let members: string[];
const at = new Date('2026-11-30T09:00:00Z'); // a Monday: the chart ends with the week of 23 Nov

beforeAll(async () => {
  t = await createInsightDatabase();
  const teamRow = await t.seed.channel('C1', { name: '#aws-study' });
  const pairRow = await t.seed.channel('C2', { name: '#pair' });
  const [a, b, c, d, outsider] = (await t.seed.people(5)) as [string, string, string, string, string];
  members = [a, b, c, d];
  await t.seed.members(teamRow.id, members);
  await t.seed.members(pairRow.id, [a, b]);
  // In the week of 2 Nov three members study enough for a verdict, d too little; d catches up in
  // the week of 16 Nov. Someone who is not a member studies too, and must not count.
  const nov4 = new Date('2026-11-04T10:00:00Z');
  await t.seed.studied(a, nov4, 7, 7);
  await t.seed.studied(b, nov4, 7, 5);
  await t.seed.studied(c, nov4, 7, 3);
  await t.seed.studied(d, nov4, 2, 2);
  await t.seed.studied(outsider, nov4, 7, 0);
  await t.seed.studied(d, new Date('2026-11-18T10:00:00Z'), 7, 7);
  const repository = createInsightRepository(t.db);
  team = (await repository.findChannels('C1'))[0] as InsightChannel;
  pair = (await repository.findChannels('C2'))[0] as InsightChannel;
});

afterAll(() => t?.database.destroy());

describe("the digest chart's team readiness trend", () => {
  it("gives the members' median predicted score at each week's end, only where three or more have a verdict", async () => {
    const data = await loadDigestChartData(createInsightRepository(t.db), team, at);
    const readiness = data.weeks.map((w) => w.readiness);
    expect(readiness.slice(0, 4)).toEqual([undefined, undefined, undefined, undefined]);
    expect(readiness.slice(4).map((r) => r?.people)).toEqual([3, 3, 4, 4]);
    // Each figure is the team's readiness as it stood at that week's end (Monday 00:00 after it).
    const reviews = createReviewsRepository(t.db);
    const ends = ['2026-11-09', '2026-11-16', '2026-11-23', '2026-11-30'];
    for (const [i, end] of ends.entries()) {
      const expected = summariseTeamReadiness(
        (await reviews.readinessOf(members, new Date(`${end}T00:00:00Z`))).values(),
      );
      expect(readiness[4 + i]).toEqual(expected);
    }
    // Answers fade with time: the same answers give a lower median a week later.
    expect(readiness[5]?.median).toBeLessThan(readiness[4]?.median as number);
    for (const r of readiness.slice(4)) {
      expect(r?.median).toBeGreaterThanOrEqual(100);
      expect(r?.median).toBeLessThanOrEqual(1000);
    }
  });

  it("a large team's readiness, read in two halves at once, is each person's own", async () => {
    const crowd = await t.seed.people(45, 'UCROWD');
    for (const [i, person] of crowd.entries())
      await t.seed.studied(person, new Date('2026-11-20T10:00:00Z'), 7, Math.min(7, i % 9));
    const reviews = createReviewsRepository(t.db);
    const together = await reviews.readinessOf(crowd, at);
    expect(together.size).toBe(45);
    for (const person of crowd)
      expect(together.get(person)).toEqual((await reviews.readinessOf([person], at)).get(person));
  });

  it('the text alternative lists the same figures, and never a single person', async () => {
    const data = await loadDigestChartData(createInsightRepository(t.db), team, at);
    const chart = await renderDigestChart(data);
    expect(chart.altText).toBe(describeDigestChart(data));
    const last = chart.altText.split('\n').at(-1) as string;
    expect(last).toMatch(/^Team readiness at each week's end/);
    expect(last).toContain('2026-W41: too few people with enough answers');
    for (const w of data.weeks.filter((w) => w.readiness)) {
      const r = w.readiness as NonNullable<typeof w.readiness>;
      expect(last).toContain(
        `${w.isoWeek}: ${r.median} (${r.predictedToPass} of ${r.people} predicted to pass)`,
      );
    }
  });

  it('draws a readiness panel below the heatmap: a taller PNG, still about 800 px wide', async () => {
    const data = await loadDigestChartData(createInsightRepository(t.db), team, at);
    const withTrend = await renderDigestChart(data);
    const without = await renderDigestChart({
      ...data,
      weeks: data.weeks.map(({ readiness: _, ...w }) => w),
    });
    const header = pngHeader(withTrend.png);
    expect(header.signature).toBe(true);
    expect({ width: header.width, height: header.height }).toEqual({
      width: withTrend.width,
      height: withTrend.height,
    });
    expect(header.width).toBeGreaterThanOrEqual(700);
    expect(header.width).toBeLessThanOrEqual(900);
    expect(header.height).toBeGreaterThan(without.height + 80);
    expect(withTrend.png.length).toBeGreaterThan(without.png.length);
    const svg = await renderSvg(data);
    expect(svg).toContain('pass 700');
    for (const w of data.weeks.filter((w) => w.readiness)) expect(svg).toContain(`>${w.readiness?.median}<`);
  });

  it('with fewer than three people with a verdict, there is no trend and the chart looks as before', async () => {
    const data = await loadDigestChartData(createInsightRepository(t.db), pair, at);
    expect(data.weeks.every((w) => w.readiness === undefined)).toBe(true);
    expect(describeDigestChart(data)).not.toContain('readiness');
    const svg = await renderSvg(data);
    expect(svg).not.toContain('pass 700');
    expect(svg).not.toContain('predicted score');
  });

  it('charts with and without a trend each keep their own shared compiled spec', async () => {
    const withTrend = await loadDigestChartData(createInsightRepository(t.db), team, at);
    const without = await loadDigestChartData(createInsightRepository(t.db), pair, at);
    const other = {
      ...withTrend,
      channelName: '#another-team',
      weeks: withTrend.weeks.map((w, i) => ({
        ...w,
        readiness: { people: 3, median: 300 + 80 * i, predictedToPass: 1 },
      })),
    };
    for (const chart of [withTrend, without, other, withTrend]) {
      const svg = await renderSvg(chart);
      expect(svg).toBe(await renderSvgUncached(chart));
      expect(svg).toContain(chart.channelName);
    }
  });
});
