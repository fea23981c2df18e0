import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { runJobAt } from '../../src/jobs/scheduler.js';
import { createSendQueue } from '../../src/jobs/send-queue.js';
import { createLogger } from '../../src/logger.js';
import { startService } from '../../src/main.js';
import { correctChoice, type Question } from '../../src/quiz/question.js';
import { ROOT, startCli } from '../support/cli.js';
import { createPostgresDatabase, testPostgresUrl } from '../support/database.js';
import { sendToSlackEndpoint, startFakeSlack } from '../support/fake-slack.js';
import { dailyAnswerForm } from '../support/slack-clicks.js';

const SECRET = 'crash-signing-secret';
const CLICKS = 600;
const CONCURRENCY = 24;
/** The service is killed once this many clicks have had their answer. */
const KILL_AFTER = 200;
const silent = createLogger({ level: 'silent', format: 'json' });
const NOW = new Date(Math.floor(Date.now() / 60_000) * 60_000);
const serverUrl = testPostgresUrl();
let fake: Awaited<ReturnType<typeof startFakeSlack>>;
let database: { url: string; drop(): Promise<void> } | undefined;

beforeAll(async () => {
  fake = await startFakeSlack({ admins: ['UADMIN'] });
  if (serverUrl) database = await createPostgresDatabase(serverUrl);
});

afterAll(async () => {
  await database?.drop();
  await fake?.close();
});

const env = () => ({
  SLACK_SIGNING_SECRET: SECRET,
  SLACK_BOT_TOKEN: 'xoxb-test',
  SLACK_API_URL: fake.apiUrl,
  DATABASE_URL: database?.url ?? '',
  SCHEDULER: 'off',
  QUESTIONS_DIR: path.join(ROOT, 'test/fixtures/mini-bank'),
});

/** Posts today's question with the service in this process; returns what people will answer. */
async function postTodaysQuestion(): Promise<{ postId: string; question: Question }> {
  const service = await startService({
    config: loadConfig({ ...env(), PORT: '0', HOST: '127.0.0.1' }),
    logger: silent,
  });
  try {
    const channel = { platform: 'slack' as const, workspaceId: 'T1', channelId: 'C1' };
    await service.quiz.subscribe(
      { platform: 'slack', workspaceId: 'T1', userId: 'UADMIN', isPlatformAdmin: true },
      channel,
      { time: NOW.toISOString().slice(11, 16), timezone: 'UTC', days: 'daily' },
    );
    await runJobAt(
      {
        db: service.database.db,
        quizAt: service.quizAt,
        platforms: service.platforms,
        logger: silent,
        defaultTimezone: 'UTC',
        queue: createSendQueue({ concurrency: 4, perKeyIntervalMs: 0 }),
      },
      'daily-post',
      NOW,
    );
    const settings = await service.quiz.channelSettings(channel);
    const postId = (await service.quiz.openPostOf(settings?.channelId ?? ''))?.id ?? '';
    const question = (await service.quiz.getDailyPost(postId))?.question as Question;
    return { postId, question };
  } finally {
    await service.close();
  }
}

describe('Slack: a crash in the middle of a burst of answers', () => {
  it.skipIf(!serverUrl)(
    'loses no answer that was acknowledged: every click that got 200 is stored',
    { timeout: 120_000 },
    async () => {
      const { postId, question } = await postTodaysQuestion();
      const bot = await startCli(env());
      const users = Array.from({ length: CLICKS }, (_, i) => `UCRASH${i}`);
      const acknowledged = new Set<string>();
      let answered = 0;
      let killed: Promise<unknown> | undefined;
      let next = 0;
      const client = async () => {
        while (next < users.length && !killed) {
          const user = users[next++] as string;
          const form = dailyAnswerForm({
            postId,
            question,
            choice: correctChoice(question),
            user,
            responseUrl: fake.responseUrl(user),
          });
          try {
            const response = await sendToSlackEndpoint(bot.url, SECRET, { form });
            await response.arrayBuffer();
            if (response.status === 200) acknowledged.add(user);
          } catch {
            // The connection died with the process: this click was never acknowledged.
          }
          if (++answered === KILL_AFTER) killed = bot.kill('SIGKILL');
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, client));
      await killed;

      const db = new pg.Client({ connectionString: database?.url });
      await db.connect();
      const stored = new Set(
        (
          await db.query<{ external_id: string }>(
            'select u.external_id from answers a join users u on u.id = a.user_id where a.post_id = $1',
            [postId],
          )
        ).rows.map((r) => r.external_id),
      );
      await db.end();
      const lost = [...acknowledged].filter((user) => !stored.has(user));
      console.log(
        `crash test: ${next} clicks sent of ${CLICKS}, ${acknowledged.size} acknowledged with 200, ` +
          `${stored.size} stored, ${lost.length} acknowledged but not stored`,
      );
      expect(killed).toBeDefined();
      expect(acknowledged.size).toBeGreaterThan(0);
      expect(next).toBeLessThan(CLICKS);
      expect(lost).toEqual([]);
    },
  );
});
