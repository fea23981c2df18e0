import type { TopLevelSpec } from 'vega-lite';
import { type DigestChartData, hasReadinessTrend, SHORT_DOMAIN_NAMES } from './digest-chart-data.js';

/** The font shipped in assets/fonts: the SVG names it and the rasteriser loads only it. */
export const CHART_FONT = 'DejaVu Sans';

/** Width of one week's column in CSS pixels: 8 weeks, the row labels and the legend fit ~800 px. */
const WEEK_STEP = 66;
const DOMAIN_STEP = 40;

/** Viridis at five evenly spaced points, from 0–20 % right (dark) to 80–100 % (light). */
const VIRIDIS_5 = ['#440154', '#3b528b', '#21918c', '#5ec962', '#fde725'];

/** Cells with nothing to colour are drawn light grey, apart from the viridis scale's colours. */
const EMPTY_FILL = '#eeeeee';

/**
 * The digest chart as Vega-Lite: people who answered per week (bars) above a heatmap of the share of
 * correct answers per exam domain and week. Viridis is readable with every common colour-vision
 * deficiency and in greyscale, and each cell also prints its figures, so colour is never the only cue.
 */
export function digestChartSpec(data: DigestChartData): TopLevelSpec {
  const weekOrder = data.weeks.map((w) => w.isoWeek.slice(5));
  const domainOrder = data.domains.map((d) => SHORT_DOMAIN_NAMES[d] ?? `D${d}`);
  const { title, weeks, cells, trend } = digestChartValues(data);
  const x = {
    field: 'week',
    type: 'ordinal' as const,
    sort: weekOrder,
    title: null,
    scale: { paddingInner: 0.06 },
  };

  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: title,
      subtitle: [
        'Bars: people who answered. Cells: share correct and correct/answers, per exam domain.',
        ...(trend ? ["Line: the team's median predicted score at each week's end (700 passes)."] : []),
      ],
      anchor: 'start',
      fontSize: 16,
      subtitleFontSize: 12,
      subtitleColor: '#444444',
    },
    datasets: { weeks, cells, ...(trend ? { trend } : {}) },
    background: 'white',
    padding: 12,
    spacing: 8,
    vconcat: [
      {
        data: { name: 'weeks' },
        width: { step: WEEK_STEP },
        height: 56,
        layer: [
          { mark: { type: 'bar', color: '#5b5b5b' } },
          {
            mark: { type: 'text', dy: -7, fontSize: 12, color: '#222222' },
            encoding: { text: { field: 'people', type: 'quantitative' } },
          },
        ],
        encoding: {
          x: { ...x, axis: null },
          // No axis: each bar prints its count, and the subtitle says what the bars are.
          y: { field: 'people', type: 'quantitative', axis: null, scale: { zero: true } },
        },
      },
      {
        data: { name: 'cells' },
        width: { step: WEEK_STEP },
        height: { step: DOMAIN_STEP },
        encoding: {
          x: { ...x, axis: { orient: 'bottom', labelAngle: 0, domain: false, ticks: false } },
          y: {
            field: 'domain',
            type: 'ordinal',
            sort: domainOrder,
            title: null,
            axis: { domain: false, ticks: false, labelLimit: 200 },
          },
        },
        layer: [
          {
            mark: { type: 'rect', cornerRadius: 2 },
            encoding: {
              color: {
                condition: { test: 'datum.accuracy === null', value: EMPTY_FILL },
                field: 'accuracy',
                type: 'quantitative',
                title: 'correct',
                // Five bands of 20 points each read faster than a gradient, and a handful of flat
                // colours keeps the PNG small (Teams carries it inline, in the message itself).
                scale: { type: 'quantize', domain: [0, 1], range: VIRIDIS_5 },
                legend: { format: '.0%', symbolType: 'square', symbolSize: 140 },
              },
            },
          },
          {
            mark: { type: 'text', fontSize: 12, lineHeight: 14, baseline: 'middle' },
            encoding: {
              text: { field: 'lines' },
              color: {
                // The three darker bands take white text, the two lighter ones dark text.
                condition: { test: 'datum.accuracy !== null && datum.accuracy < 0.6', value: 'white' },
                value: '#222222',
              },
            },
          },
        ],
      },
      ...(trend ? [readinessPanel(weekOrder)] : []),
    ],
    config: {
      font: CHART_FONT,
      view: { stroke: null },
      axis: { labelFontSize: 12, titleFontSize: 12, labelColor: '#222222' },
      legend: { labelFontSize: 11, titleFontSize: 12 },
    },
  };
}

type ConcatPanel = Extract<TopLevelSpec, { vconcat: unknown }>['vconcat'][number];

/** Dark blue of the viridis scale: the readiness line, readable in greyscale and by colour-blind eyes. */
const TREND_COLOUR = '#3b528b';

/**
 * The team's readiness trend: the median predicted score per week on the exam's 100–1000 scale,
 * with a dashed rule at the pass mark. Each point prints its score, so nothing rests on colour.
 */
function readinessPanel(weekOrder: string[]): ConcatPanel {
  // The weeks without a figure still take their column, aligned with the panels above.
  const x = {
    field: 'week',
    type: 'ordinal' as const,
    sort: weekOrder,
    title: null,
    axis: null,
    scale: { domain: weekOrder },
  };
  // Every layer gives the y axis in full: layers that differ would have their axes merged loosely.
  const scoreAxis = {
    type: 'quantitative' as const,
    title: 'team median',
    scale: { domain: [100, 1000] },
    axis: { values: [100, 400, 700, 1000], format: 'd', grid: false, titleColor: '#444444' },
  };
  const y = { field: 'score', ...scoreAxis };
  const passMark = { datum: 700, ...scoreAxis };
  return {
    data: { name: 'trend' },
    width: { step: WEEK_STEP },
    height: 110,
    layer: [
      // The pass mark is drawn once, not once per week: its layers have one empty row of their own.
      {
        data: { values: [{}] },
        mark: { type: 'rule', color: '#777777', strokeDash: [4, 3] },
        encoding: { y: passMark },
      },
      {
        data: { values: [{}] },
        mark: { type: 'text', align: 'left', dx: 2, dy: -6, fontSize: 11, color: '#555555' },
        encoding: { x: { value: 0 }, y: passMark, text: { value: 'pass 700' } },
      },
      {
        mark: { type: 'line', color: TREND_COLOUR, strokeWidth: 2, point: { filled: true, size: 40 } },
        encoding: { x, y },
      },
      {
        mark: { type: 'text', dy: -10, fontSize: 12, color: '#222222' },
        encoding: { x, y, text: { field: 'score', type: 'quantitative' } },
      },
    ],
  };
}

/**
 * What the compiled chart depends on besides its figures and title: the weeks and the domains, in
 * order. Charts of one shape (every channel in a timezone, in one digest tick) share a compiled spec.
 */
export function digestChartShape(data: DigestChartData): string {
  return JSON.stringify([data.weeks.map((w) => w.isoWeek), data.domains, hasReadinessTrend(data)]);
}

/**
 * The chart's title and its datasets, as the spec names them (`weeks`, `cells`, and `trend` only
 * when some week has a team readiness).
 */
export function digestChartValues(data: DigestChartData) {
  const weekLabel = new Map(data.weeks.map((w) => [w.start, w.isoWeek.slice(5)]));
  return {
    title: `${data.channelName} · last ${data.weeks.length} weeks`,
    weeks: data.weeks.map((w) => ({ week: weekLabel.get(w.start), people: w.people })),
    cells: data.cells.map((c) => ({
      week: weekLabel.get(c.weekStart),
      domain: SHORT_DOMAIN_NAMES[c.domain] ?? `D${c.domain}`,
      accuracy: c.questions > 0 && c.answers > 0 ? c.correct / c.answers : null,
      lines:
        c.questions === 0
          ? ['–']
          : c.answers === 0
            ? ['none']
            : [`${Math.round((100 * c.correct) / c.answers)}%`, `${c.correct}/${c.answers}`],
    })),
    trend: hasReadinessTrend(data)
      ? data.weeks.map((w) => ({ week: weekLabel.get(w.start), score: w.readiness?.median ?? null }))
      : undefined,
  };
}
