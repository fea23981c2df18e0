import { fileURLToPath } from 'node:url';
import type { Logger } from '../logger.js';
import { CHART_FONT, digestChartShape, digestChartSpec, digestChartValues } from './chart-spec.js';
import { type DigestChartData, describeDigestChart } from './digest-chart-data.js';
import { chartFailed } from './insight.errors.js';

/** The fonts shipped with the app (assets/fonts, one folder above both src/ and dist/). */
export const CHART_FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((name) =>
  fileURLToPath(new URL(`../../assets/fonts/${name}`, import.meta.url)),
);

export interface DigestChart {
  png: Buffer;
  /** Pixel size of the PNG. */
  width: number;
  height: number;
  /** The same figures in words: post it with the image (alt text) or instead of it. */
  altText: string;
}

export interface RenderOptions {
  /** Pixels per CSS pixel: 1 gives a PNG about 800 px wide (Slack's preview size), 2 a sharper one. */
  scale?: number;
  /** Font files to draw with; the shipped DejaVu Sans unless told otherwise. */
  fontFiles?: string[];
}

/**
 * Draws the digest chart: Vega-Lite → Vega → SVG in Node (no browser, no canvas), then resvg → PNG
 * with the shipped font only, so it looks the same on every machine. Fails only with
 * `insight.chart_failed`.
 *
 * @example const { png, altText } = await renderDigestChart(await loadDigestChartData(repo, channel, now));
 */
export async function renderDigestChart(
  data: DigestChartData,
  options: RenderOptions = {},
): Promise<DigestChart> {
  const scale = options.scale ?? 1;
  try {
    if (!(scale > 0 && scale <= 4)) throw new RangeError(`scale ${scale} is outside (0, 4]`);
    const svg = await renderSvg(data);
    // Loaded on first use: the renderer costs start-up time that a process drawing no chart never pays.
    const { renderAsync } = await import('@resvg/resvg-js');
    // The raster, the larger part of a chart's cost, runs on libuv's thread pool: the event loop
    // keeps sending while it is drawn, and a digest tick can draw on a second core.
    const image = await renderAsync(svg, {
      fitTo: { mode: 'zoom', value: scale },
      font: {
        fontFiles: options.fontFiles ?? CHART_FONT_FILES,
        loadSystemFonts: false,
        defaultFontFamily: CHART_FONT,
      },
    });
    const png = image.asPng();
    if (png.length === 0) throw new Error('the rasteriser returned an empty image');
    return { png, width: image.width, height: image.height, altText: describeDigestChart(data) };
  } catch (error) {
    throw chartFailed(error);
  }
}

/** Compiled charts kept, by shape: a digest tick meets one or two shapes per timezone. */
const COMPILED_KEPT = 8;
const compiled = new Map<string, Promise<unknown>>();

/**
 * The chart's Vega runtime for its shape, compiled once: Vega-Lite's compile and Vega's parse are
 * about half of what drawing the SVG costs, and every channel of a tick shares its weeks. Its
 * title is a signal and its datasets are named, so each chart only feeds in its own figures.
 */
async function compiledChart(data: DigestChartData) {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const shape = digestChartShape(data);
  let runtime = compiled.get(shape);
  if (!runtime) {
    const template = { ...data, channelName: '' };
    const { spec } = vegaLite.compile(digestChartSpec(template));
    spec.signals = [...(spec.signals ?? []), { name: 'chartTitle', value: '' }];
    spec.title = { ...(spec.title as object), text: { signal: 'chartTitle' } };
    runtime = Promise.resolve(vega.parse(spec));
    if (compiled.size >= COMPILED_KEPT) compiled.delete(compiled.keys().next().value as string);
    compiled.set(shape, runtime);
  }
  return { vega, runtime: (await runtime) as ReturnType<typeof vega.parse> };
}

/** The chart as SVG text, before rasterising. */
export async function renderSvg(data: DigestChartData): Promise<string> {
  const { vega, runtime } = await compiledChart(data);
  const values = digestChartValues(data);
  // renderer 'none': Vega builds the scene graph without drawing; toSVG then writes it as text.
  const view = new vega.View(runtime, { renderer: 'none', logLevel: vega.Warn });
  try {
    view.signal('chartTitle', values.title).data('weeks', values.weeks).data('cells', values.cells);
    if (values.trend) view.data('trend', values.trend);
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The chart as SVG text compiled from scratch, as a check on the compiled one. */
export async function renderSvgUncached(data: DigestChartData): Promise<string> {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const { spec } = vegaLite.compile(digestChartSpec(data));
  const view = new vega.View(vega.parse(spec), { renderer: 'none', logLevel: vega.Warn });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * The chart, or undefined when it cannot be drawn (logged): what the digest calls, so a chart that
 * fails never holds back the digest's text.
 */
export async function renderDigestChartOrNothing(
  data: DigestChartData,
  logger: Logger,
  options: RenderOptions = {},
): Promise<DigestChart | undefined> {
  try {
    return await renderDigestChart(data, options);
  } catch (error) {
    logger.warn(
      { err: error, channel: data.channelName },
      'digest chart not drawn; posting the digest without it',
    );
    return undefined;
  }
}

/** Scales tried, in order, when a platform limits the image's size: sharp first, then smaller. */
const FALLBACK_SCALES = [1, 0.75];

/**
 * The chart for a platform that limits an image's size: drawn at scale 1, drawn again smaller when
 * the PNG is over `maxPngBytes`, and left out (logged) when even that is too big or drawing fails.
 * Undefined means: post the digest without it.
 */
export async function renderDigestChartWithin(
  data: DigestChartData,
  logger: Logger,
  options: { maxPngBytes?: number; scales?: number[] } = {},
): Promise<DigestChart | undefined> {
  const max = options.maxPngBytes ?? Number.POSITIVE_INFINITY;
  let smallest = Number.POSITIVE_INFINITY;
  for (const scale of options.scales ?? FALLBACK_SCALES) {
    const chart = await renderDigestChartOrNothing(data, logger, { scale });
    if (!chart) return undefined;
    if (chart.png.length <= max) return chart;
    smallest = Math.min(smallest, chart.png.length);
  }
  logger.warn(
    { channel: data.channelName, bytes: smallest, maxBytes: max },
    'digest chart too large for this platform; posting the digest without it',
  );
  return undefined;
}
