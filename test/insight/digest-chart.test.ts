import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../src/errors.js';
import {
  renderDigestChart,
  renderDigestChartOrNothing,
  renderDigestChartWithin,
  renderSvg,
  renderSvgUncached,
} from '../../src/insight/digest-chart.js';
import {
  chartWeeksAt,
  describeDigestChart,
  loadDigestChartData,
} from '../../src/insight/digest-chart-data.js';
import { createInsightRepository, type InsightChannel } from '../../src/insight/insight.repository.js';
import { createLogger } from '../../src/logger.js';
import { captureLogs } from '../support/log-capture.js';
import { createInsightDatabase, pngHeader } from './seed.js';

type Setup = Awaited<ReturnType<typeof createInsightDatabase>>;
let t: Setup;
let channel: InsightChannel;
const at = new Date('2026-11-30T09:00:00Z'); // a Monday: the chart ends with the week of 23 Nov

beforeAll(async () => {
  t = await createInsightDatabase();
  const row = await t.seed.channel('C1', { name: '#aws-study' });
  const other = await t.seed.channel('C2');
  const people = await t.seed.people(4);
  const [a, b, c, d] = people as [string, string, string, string];
  // Week of 23 Nov: D1 answered 3/4 right, D4 1/2 right; week of 9 Nov: D2 asked, nobody answered.
  const d1 = await t.seed.post(row.id, '2026-11-24', 'learning-types-001');
  await t.seed.answer(d1, [
    { userId: a, choice: [0], correct: true },
    { userId: b, choice: [0], correct: true },
    { userId: c, choice: [0], correct: true },
    { userId: d, choice: [1], correct: false },
  ]);
  const d4 = await t.seed.post(row.id, '2026-11-26', 'fairness-001');
  await t.seed.answer(d4, [
    { userId: a, choice: [0], correct: true },
    { userId: b, choice: [2], correct: false },
  ]);
  await t.seed.post(row.id, '2026-11-10', 'genai-basics-002');
  // Outside the eight weeks, and in another channel: neither may show.
  const old = await t.seed.post(row.id, '2026-09-01', 'access-001');
  await t.seed.answer(old, [{ userId: a, choice: [0], correct: true }]);
  const elsewhere = await t.seed.post(other.id, '2026-11-24', 'learning-types-001');
  await t.seed.answer(elsewhere, [{ userId: c, choice: [1], correct: false }]);
  const [found] = await createInsightRepository(t.db).findChannels('C1');
  channel = found as InsightChannel;
});

afterAll(() => t?.database.destroy());

describe('the digest chart', () => {
  it('covers the eight channel-local ISO weeks ending with the week before a Monday digest', () => {
    const range = chartWeeksAt(at, 'UTC');
    expect(range.weeks).toHaveLength(8);
    expect(range.weeks[0]).toEqual({
      start: '2026-10-05',
      isoWeek: '2026-W41',
      end: new Date('2026-10-12T00:00:00Z'),
    });
    // The last week ends on the Monday of the digest, at midnight.
    expect(range.weeks[7]).toEqual({
      start: '2026-11-23',
      isoWeek: '2026-W48',
      end: new Date('2026-11-30T00:00:00Z'),
    });
    // A digest in the middle of a week reads that week's readiness as it stands at the digest.
    const wednesday = new Date('2026-12-02T09:00:00Z');
    expect(chartWeeksAt(wednesday, 'UTC').weeks[7]?.end).toEqual(wednesday);
    expect(range.toDate).toBe('2026-11-29');
    // In Auckland it is already Monday evening: still the same eight weeks.
    expect(chartWeeksAt(at, 'Pacific/Auckland').toDate).toBe('2026-11-29');
  });

  it("counts the channel's answers per week and domain, people per week, and leaves the rest empty", async () => {
    const data = await loadDigestChartData(createInsightRepository(t.db), channel, at);
    expect(data.domains).toEqual([1, 2, 3, 4, 5]);
    expect(data.cells).toHaveLength(8 * 5);
    const cell = (week: string, domain: number) =>
      data.cells.find((c) => c.weekStart === week && c.domain === domain);
    expect(cell('2026-11-23', 1)).toMatchObject({ questions: 1, answers: 4, correct: 3 });
    expect(cell('2026-11-23', 4)).toMatchObject({ questions: 1, answers: 2, correct: 1 });
    expect(cell('2026-11-09', 2)).toMatchObject({ questions: 1, answers: 0, correct: 0 });
    expect(cell('2026-10-05', 1)).toMatchObject({ questions: 0, answers: 0 });
    expect(data.weeks.map((w) => w.people)).toEqual([0, 0, 0, 0, 0, 0, 0, 4]);
  });

  it('renders a PNG about 800 px wide, and its text alternative lists the same figures', async () => {
    const data = await loadDigestChartData(createInsightRepository(t.db), channel, at);
    const chart = await renderDigestChart(data);
    const header = pngHeader(chart.png);
    expect(header.signature).toBe(true);
    expect({ width: header.width, height: header.height }).toEqual({
      width: chart.width,
      height: chart.height,
    });
    expect(header.width).toBeGreaterThanOrEqual(700);
    expect(header.width).toBeLessThanOrEqual(900);
    expect(header.height).toBeGreaterThan(250);
    // A blank image of that size compresses to well under 2 KB; cells and text make it larger.
    expect(chart.png.length).toBeGreaterThan(8_000);

    expect(chart.altText).toBe(describeDigestChart(data));
    const lines = chart.altText.split('\n');
    expect(lines).toHaveLength(1 + 8);
    const last = lines[8] as string;
    expect(last).toContain('2026-W48 (from 2026-11-23): 4 people answered.');
    expect(last).toContain('D1 AI & ML: 3/4 (75%)');
    expect(last).toContain('D4 Responsible AI: 1/2 (50%)');
    expect(last).toContain('D2 Generative AI: not asked');
    expect(lines.find((l) => l.startsWith('2026-W46'))).toContain('D2 Generative AI: no answers');
    // Every figure of every cell is in the text.
    for (const c of data.cells.filter((c) => c.answers > 0))
      expect(chart.altText).toContain(`${c.correct}/${c.answers}`);
  });

  it('charts of one shape drawn from the shared compiled spec match charts compiled afresh', async () => {
    const data = await loadDigestChartData(createInsightRepository(t.db), channel, at);
    const other = {
      ...data,
      channelName: '#another-team',
      weeks: data.weeks.map((w, i) => ({ ...w, people: i + 2 })),
      cells: data.cells.map((c, i) => ({ ...c, questions: 1, answers: 8, correct: i % 9 })),
    };
    for (const chart of [data, other, data]) {
      const svg = await renderSvg(chart);
      expect(svg).toBe(await renderSvgUncached(chart));
      expect(svg).toContain(chart.channelName);
    }
  });

  it('a larger scale gives a sharper image of the same chart', async () => {
    const data = await loadDigestChartData(createInsightRepository(t.db), channel, at);
    const [one, two] = [await renderDigestChart(data), await renderDigestChart(data, { scale: 2 })];
    expect(two.width).toBe(one.width * 2);
    expect(two.height).toBe(one.height * 2);
  });

  it('a chart that cannot be drawn fails with a code the digest can catch, and the safe variant logs and returns nothing', async () => {
    const data = await loadDigestChartData(createInsightRepository(t.db), channel, at);
    // A control character in a channel name makes the SVG invalid XML for the rasteriser.
    const broken = { ...data, channelName: 'bad\u0001name' };
    const failure = await renderDigestChart(broken).catch((error: unknown) => error);
    expect(isAppError(failure, 'insight.chart_failed')).toBe(true);

    const logs = captureLogs();
    const logger = createLogger({ level: 'info', format: 'json' }, logs.stream);
    expect(await renderDigestChartOrNothing(broken, logger)).toBeUndefined();
    expect(logs.warnings().map((l) => l.msg)).toEqual([
      'digest chart not drawn; posting the digest without it',
    ]);
  });

  it('for a platform that limits the size, draws it smaller when too big, and leaves it out when even that is', async () => {
    const data = await loadDigestChartData(createInsightRepository(t.db), channel, at);
    const full = await renderDigestChart(data);
    const logs = captureLogs();
    const logger = createLogger({ level: 'info', format: 'json' }, logs.stream);

    expect((await renderDigestChartWithin(data, logger, { maxPngBytes: full.png.length }))?.width).toBe(
      full.width,
    );
    const smaller = await renderDigestChartWithin(data, logger, { maxPngBytes: full.png.length - 1 });
    expect(smaller?.width).toBe(Math.round(full.width * 0.75));
    expect(smaller?.png.length).toBeLessThan(full.png.length);
    expect(smaller?.altText).toBe(full.altText);
    expect(logs.warnings()).toEqual([]);

    expect(await renderDigestChartWithin(data, logger, { maxPngBytes: 1_000 })).toBeUndefined();
    expect(logs.warnings().map((l) => l.msg)).toEqual([
      'digest chart too large for this platform; posting the digest without it',
    ]);
  });
});
