import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import type { RunningService } from '../src/main.js';
import { correctChoice, type Question } from '../src/quiz/question.js';
import { sendToSlackEndpoint, startFakeSlack } from './support/fake-slack.js';
import { startTestService } from './support/service.js';
import { dailyAnswerForm } from './support/slack-clicks.js';

const SECRET = 'test-signing-secret';
const TOKEN = 'scrape-token-0123456789';
const NOW = new Date(Math.floor(Date.now() / 60_000) * 60_000);

let fake: Awaited<ReturnType<typeof startFakeSlack>>;
let service: RunningService;
let stop: () => Promise<void>;

beforeAll(async () => {
  fake = await startFakeSlack({ admins: ['UADMIN'] });
});

// A service of its own for every test: its counters start at zero, whatever ran before it.
beforeEach(async () => {
  ({ service, stop } = await startTestService({
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_API_URL: fake.apiUrl,
    METRICS: 'on',
    METRICS_TOKEN: TOKEN,
  }));
}, 120_000);

afterEach(async () => {
  await stop?.();
});

afterAll(async () => {
  await fake?.close();
});

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition (comments skipped). */
function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [
        m[1],
        m[2],
      ]),
    );
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The value of the one sample of `name` whose labels include `labels`. */
function sampleValue(
  samples: Sample[],
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const found = samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} matches ${found.length} samples`);
  return found[0]?.value;
}

async function scrape(): Promise<Sample[]> {
  const response = await fetch(`${service.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return parseExposition(await response.text());
}

async function waitFor<T>(find: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let waited = 0; waited < 10_000; waited += 20) {
    const found = await find();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function slashCommand(text: string, user: string) {
  return sendToSlackEndpoint(service.url, SECRET, {
    form: {
      command: '/aif-quiz',
      text,
      team_id: 'T1',
      team_domain: 'test',
      channel_id: 'C1',
      channel_name: 'general',
      user_id: user,
      user_name: user.toLowerCase(),
      response_url: fake.responseUrl(`cmd-${user}`),
      trigger_id: '1.2.3',
      api_app_id: 'A1',
      token: 'legacy',
    },
  });
}

/**
 * C1 subscribed by an admin and posted its question of the day at NOW; `beforePosting` runs just
 * before the post goes out. Returns the post and its question, open for answers.
 */
async function givenPostedQuestion(beforePosting: () => void = () => {}) {
  const time = NOW.toISOString().slice(11, 16);
  expect((await slashCommand(`subscribe ${time} UTC daily`, 'UADMIN')).status).toBe(200);
  // A command is acknowledged at once and answered at its response_url once done.
  const channel = await waitFor(
    () => service.quiz.channelSettings({ platform: 'slack', workspaceId: 'T1', channelId: 'C1' }),
    'the subscription',
  );
  beforePosting();
  const report = await service.runJob('daily-post', NOW);
  const postId = (await service.quiz.openPostOf(channel.channelId))?.id ?? '';
  const question = (await service.quiz.getDailyPost(postId))?.question as Question;
  return { report, postId, question };
}

function answerClick(postId: string, question: Question, responseId: string) {
  return sendToSlackEndpoint(service.url, SECRET, {
    form: dailyAnswerForm({
      postId,
      question,
      choice: correctChoice(question),
      user: 'U2',
      responseUrl: fake.responseUrl(responseId),
    }),
  });
}

describe('GET /metrics', () => {
  it('counts requests, answers, job runs, sends and 429s as they happen', async () => {
    // Slack refuses the first post with 429; its client waits out Retry-After and posts again.
    const { report, postId, question } = await givenPostedQuestion(() =>
      fake.failNext('chat.postMessage', 429, 1, 0),
    );
    expect(report.outcomes.map((o) => o.outcome)).toEqual(['posted']);

    const click = await answerClick(postId, question, 'click-U2');
    expect(click.status).toBe(200);

    const samples = await scrape();
    const events = { route: '/slack/events', method: 'POST', status: '200' };
    expect(sampleValue(samples, 'aifquiz_http_request_duration_seconds_count', events)).toBe(2);
    expect(
      sampleValue(samples, 'aifquiz_http_request_duration_seconds_bucket', { ...events, le: '+Inf' }),
    ).toBe(2);
    expect(sampleValue(samples, 'aifquiz_answers_recorded_total', { platform: 'slack', kind: 'daily' })).toBe(
      1,
    );
    expect(
      sampleValue(samples, 'aifquiz_answers_recorded_total', { platform: 'slack', kind: 'practice' }),
    ).toBe(undefined);
    expect(sampleValue(samples, 'aifquiz_job_runs_total', { job: 'daily-post', outcome: 'ok' })).toBe(1);
    expect(sampleValue(samples, 'aifquiz_job_run_duration_seconds_count', { job: 'daily-post' })).toBe(1);
    expect(sampleValue(samples, 'aifquiz_job_work_total', { job: 'daily-post', outcome: 'posted' })).toBe(1);
    expect(
      sampleValue(samples, 'aifquiz_sends_total', {
        platform: 'slack',
        operation: 'postQuestion',
        outcome: 'ok',
      }),
    ).toBe(1);
    expect(sampleValue(samples, 'aifquiz_platform_rate_limited_total', { platform: 'slack' })).toBe(1);
    expect(sampleValue(samples, 'aifquiz_platform_rate_limited_total', { platform: 'teams' })).toBe(0);
    expect(sampleValue(samples, 'aifquiz_send_queue_depth')).toBe(0);
    const pool = sampleValue(samples, 'aifquiz_db_pool_connections', { state: 'total' }) ?? 0;
    expect(pool).toBeGreaterThanOrEqual(1);
    expect(pool).toBeLessThanOrEqual(sampleValue(samples, 'aifquiz_db_pool_max') ?? 0);
    expect(sampleValue(samples, 'aifquiz_db_pool_connections', { state: 'waiting' })).toBe(0);
    // Node's own process metrics come with them.
    expect(sampleValue(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(sampleValue(samples, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
  });

  it('counts no answer for a second click, which stores nothing, and counts the scrapes too', async () => {
    const { postId, question } = await givenPostedQuestion();
    expect((await answerClick(postId, question, 'click-U2')).status).toBe(200);
    const before = await scrape();
    const daily = { platform: 'slack', kind: 'daily' };
    expect(sampleValue(before, 'aifquiz_answers_recorded_total', daily)).toBe(1);
    const again = await answerClick(postId, question, 'click-U2-again');
    expect(again.status).toBe(200);
    const after = await scrape();
    expect(sampleValue(after, 'aifquiz_answers_recorded_total', daily)).toBe(
      sampleValue(before, 'aifquiz_answers_recorded_total', daily),
    );
    // The scrape itself is a request like any other.
    expect(
      sampleValue(after, 'aifquiz_http_request_duration_seconds_count', {
        route: '/metrics',
        method: 'GET',
        status: '200',
      }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('counting sends keeps what a platform says of itself, so the digest still carries its chart', () => {
    expect(service.platforms.slack?.digestChart).toEqual({});
  });

  it('asks for the bearer token when METRICS_TOKEN is set', async () => {
    const none = await fetch(`${service.url}/metrics`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    const wrong = await fetch(`${service.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}x` } });
    expect(wrong.status).toBe(401);
    const right = await fetch(`${service.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(right.status).toBe(200);
  });

  it('is not served unless METRICS=on', async () => {
    const plain = await startTestService({
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_API_URL: fake.apiUrl,
    });
    try {
      expect((await fetch(`${plain.service.url}/metrics`)).status).toBe(404);
      expect(plain.service.metrics).toBeUndefined();
    } finally {
      await plain.stop();
    }
    // A second service: on the embedded database that is a second initdb, seconds on a busy machine.
  }, 120_000);

  it('is off by default, and a token alone does not turn it on', () => {
    expect(loadConfig({}).metrics).toEqual({ enabled: false });
    expect(loadConfig({ METRICS_TOKEN: 'abc' }).metrics).toEqual({ enabled: false, token: 'abc' });
    expect(loadConfig({ METRICS: 'on', METRICS_TOKEN: 'abc' }).metrics).toEqual({
      enabled: true,
      token: 'abc',
    });
    expect(() => loadConfig({ METRICS: 'yes' })).toThrow(/METRICS "yes" must be on or off/);
  });
});
