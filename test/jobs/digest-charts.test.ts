import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.js';
import type { RunningService } from '../../src/main.js';
import { answerOpenQuestions, subscribeForDigest } from '../support/digest-channels.js';
import { startFakeSlack } from '../support/fake-slack.js';
import { startTestService } from '../support/service.js';

/** Now, to the minute: the questions of the day go out now, and the digests the next day. */
const NOW = new Date(Math.floor(Date.now() / 60_000) * 60_000);
const DIGEST_AT = new Date(NOW.getTime() + 86_400_000);
const DIGEST_DAY = (['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const)[DIGEST_AT.getUTCDay()];
const CHANNELS = Array.from({ length: 20 }, (_, i) => `CTICK${i}`);

let slack: Awaited<ReturnType<typeof startFakeSlack>>;
let service: RunningService;
let stop: () => Promise<void>;

beforeAll(async () => {
  slack = await startFakeSlack({ admins: ['UADMIN'] });
  const started = await startTestService(
    {
      SLACK_SIGNING_SECRET: 'test-signing-secret',
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_API_URL: slack.apiUrl,
      LOG_LEVEL: 'warn',
    },
    { clock: fixedClock(NOW) },
  );
  service = started.service;
  stop = started.stop;
  // Twenty channels, each with today's question answered by two people: a digest with a chart each.
  await subscribeForDigest(
    service.quiz,
    { channelIds: CHANNELS },
    {
      time: NOW.toISOString().slice(11, 16),
      digestDay: DIGEST_DAY as string,
      digestTime: DIGEST_AT.toISOString().slice(11, 16),
    },
  );
  await service.runJob('daily-post', NOW);
  await answerOpenQuestions(service.quiz, { channelIds: CHANNELS });
}, 180_000);

afterAll(async () => {
  await stop?.();
  await slack?.close();
});

/** Calls Slack answered (a 429 is recorded too, with no answer). */
const answered = (method: string) => slack.of(method).filter((c) => c.response !== undefined);

describe('a digest tick with charts for many channels', () => {
  it('posts every digest text first, then each chart exactly once into its thread, though Slack answers some calls with 429', {
    timeout: 180_000,
  }, async () => {
    slack.clear();
    // Retry-After: 1 on a few calls of each step: the client waits, tries again, and posts once.
    slack.failNext('chat.postMessage', 429, 3, 1);
    slack.failNext('files.getUploadURLExternal', 429, 2, 1);
    slack.failNext('files.completeUploadExternal', 429, 2, 1);

    const report = await service.runJob('weekly-digest', DIGEST_AT);
    // The texts are out and the charts owed; the digest-charts job uploads them.
    expect(slack.of('files.getUploadURLExternal')).toHaveLength(0);
    const charts = await service.runJob('digest-charts', DIGEST_AT);
    expect(
      charts.outcomes
        .filter((o) => o.outcome === 'sent')
        .map((o) => o.target)
        .sort(),
    ).toEqual(CHANNELS.map((c) => `slack:${c}`).sort());

    expect(
      report.outcomes
        .filter((o) => o.outcome === 'sent')
        .map((o) => o.target)
        .sort(),
    ).toEqual(CHANNELS.map((c) => `slack:${c}`).sort());
    const refused = (method: string) => slack.of(method).filter((c) => c.response === undefined).length;
    expect([
      refused('chat.postMessage'),
      refused('files.getUploadURLExternal'),
      refused('files.completeUploadExternal'),
    ]).toEqual([3, 2, 2]);

    const digests = answered('chat.postMessage');
    const shares = answered('files.completeUploadExternal');
    // No team waits for other channels' charts: the last text went out before the first upload began.
    const lastText = slack.calls.indexOf(digests.at(-1)!);
    const firstUpload = slack.calls.findIndex((c) => c.method === 'files.getUploadURLExternal');
    expect(digests).toHaveLength(CHANNELS.length);
    expect(lastText).toBeLessThan(firstUpload);
    for (const channel of CHANNELS) {
      const mine = digests.filter((c) => c.body.channel === channel);
      expect(mine, channel).toHaveLength(1);
      const shared = shares.filter((c) => c.body.channel_id === channel);
      expect(shared, channel).toHaveLength(1);
      // The chart goes into the digest's own thread, and its bytes arrived before it was shared.
      expect(shared[0]?.body.thread_ts).toBe(mine[0]?.response?.ts);
      const [file] = JSON.parse(String(shared[0]?.body.files)) as Array<{ id: string }>;
      expect(slack.uploaded(String(file?.id))?.subarray(1, 4).toString('ascii')).toBe('PNG');
    }
    // One ticket per chart that was shared: a refused ticket was asked again, never used twice.
    expect(answered('files.getUploadURLExternal')).toHaveLength(CHANNELS.length);
    expect(slack.of('upload')).toHaveLength(CHANNELS.length);

    // A second tick the same hour sends nothing again.
    slack.clear();
    const again = await service.runJob('weekly-digest', new Date(DIGEST_AT.getTime() + 60_000));
    expect(again.outcomes.filter((o) => o.outcome === 'sent')).toEqual([]);
    const chartsAgain = await service.runJob('digest-charts', new Date(DIGEST_AT.getTime() + 60_000));
    expect(chartsAgain.outcomes).toEqual([]);
    expect(slack.of('chat.postMessage')).toHaveLength(0);
    expect(slack.of('files.completeUploadExternal')).toHaveLength(0);
  });
});
