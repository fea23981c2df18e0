import type { FilesGetUploadURLExternalArguments, WebClient } from '@slack/web-api';
import type { DigestChartImage } from '../../quiz/quiz.js';
import { postBytes } from './http.js';

/** files.getUploadURLExternal refuses a longer image description (`alt_txt_too_large`). */
const ALT_TEXT_MAX = 1000;

/**
 * Uploads the digest chart into the digest's thread with Slack's external upload flow: ask for an
 * upload URL (files.getUploadURLExternal), send the bytes there, then share the file in the channel
 * and thread (files.completeUploadExternal). Needs the `files:write` scope.
 */
export async function uploadDigestChart(
  web: WebClient,
  options: {
    channelId: string;
    threadTs: string;
    week: string;
    chart: DigestChartImage;
    /** Waits for the workspace's turn at a rate-limited method (see createUploadPace). */
    awaitTurn?: (method: string) => Promise<void>;
  },
): Promise<void> {
  const awaitTurn = options.awaitTurn ?? (async () => {});
  const { chart } = options;
  const filename = `digest-${options.week}.png`;
  // Slack's documented argument is alt_txt; the SDK's type calls it alt_text, which Slack ignores.
  await awaitTurn('files.getUploadURLExternal');
  const ticket = await web.files.getUploadURLExternal({
    filename,
    length: chart.png.length,
    alt_txt: altTextWithin(chart.altText, ALT_TEXT_MAX),
  } as FilesGetUploadURLExternalArguments);
  if (!ticket.upload_url || !ticket.file_id) throw new Error('Slack gave no upload URL for the chart');
  await postBytes(ticket.upload_url, chart.png, 'image/png');
  // Paced on its own: the bytes take a varying time, so the shares do not follow the tickets' rhythm.
  await awaitTurn('files.completeUploadExternal');
  await web.files.completeUploadExternal({
    files: [{ id: ticket.file_id, title: `The last weeks in this channel (${options.week})` }],
    channel_id: options.channelId,
    thread_ts: options.threadTs,
  });
}

/**
 * The chart's text alternative cut to Slack's limit: its first line (what the chart shows), then
 * the most recent weeks that fit, since those matter most in a weekly digest.
 */
export function altTextWithin(text: string, max: number): string {
  if (text.length <= max) return text;
  const [head = '', ...weeks] = text.split('\n');
  const note = '(earlier weeks left out)';
  const kept: string[] = [];
  let length = head.length + 1 + note.length;
  for (const week of weeks.reverse()) {
    if (length + week.length + 1 > max) break;
    kept.unshift(week);
    length += week.length + 1;
  }
  const clipped = [head, note, ...kept].join('\n');
  return clipped.length <= max ? clipped : `${clipped.slice(0, max - 1)}…`;
}

/**
 * files.getUploadURLExternal and files.completeUploadExternal are Tier 4 methods: 100+ calls a
 * minute per workspace, bursts allowed. A digest shares its chart with one call of each, so a
 * workspace with hundreds of subscribed channels keeps to 100 chart uploads in any window of a
 * minute and a second (the second covers the time a call takes to reach Slack) rather than
 * meeting a storm of 429s.
 */
export const CHART_UPLOADS_PER_MINUTE = 100;
const WINDOW_MS = 61_000;

/**
 * Waits until a workspace may call one of the upload's methods again: at most `perMinute` calls of
 * each in any sliding window per workspace. Resolves at once while under the limit.
 */
export function createUploadPace(perMinute = CHART_UPLOADS_PER_MINUTE) {
  const recent = new Map<string, number[]>();
  return async function awaitUploadTurn(teamId: string, method: string, signal?: AbortSignal): Promise<void> {
    const key = `${teamId}|${method}`;
    for (;;) {
      const now = Date.now();
      const inWindow = (recent.get(key) ?? []).filter((at) => now - at < WINDOW_MS);
      recent.set(key, inWindow);
      if (inWindow.length < perMinute) {
        inWindow.push(now);
        return;
      }
      // Only a wait is cut short: a turn that is free is taken even when stopping, so an upload
      // under way is finished rather than left with its ticket unused.
      await waitOrAbort(WINDOW_MS - (now - (inWindow[0] as number)), signal);
    }
  };
}

function waitOrAbort(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Slack errors that pass with time; any other `ok: false` answer will not change on a retry. */
const PASSING_ERRORS = new Set([
  'ratelimited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
]);

/**
 * Whether Slack refused an upload step for good: an `ok: false` answer such as `channel_not_found`
 * or `missing_scope`, or an HTTP 4xx other than 429 (the client has already retried what it could).
 */
export function refusedBySlack(error: unknown): boolean {
  const e = error as { code?: string; statusCode?: number; data?: { error?: string } };
  if (e?.code === 'slack_webapi_platform_error') return !PASSING_ERRORS.has(String(e.data?.error));
  const status = e?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 && status !== 429;
}
