/**
 * A stalled database, as people and a load balancer see it: another session locks the answers table
 * for LOCK_S seconds (default 15) while CLICKS people answer the question of the day and COMMANDS
 * people ask for their stats through the real Slack endpoint, and /readyz is probed every 500 ms.
 * Prints how long each person waited and what they were told, and how fast /readyz answered.
 * Runs with the default database limits unless the DATABASE_* settings are given.
 *
 *   npm run bench:stall                 (a new database on DATABASE_URL, else 127.0.0.1:5432)
 *   LOCK_S=30 CLICKS=200 npm run bench:stall
 */
import path from 'node:path';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { startService } from '../src/main.js';
import { ACTIONS } from '../src/platforms/slack/blocks.js';
import { correctChoice } from '../src/quiz/question.js';
import { sendToSlackEndpoint, startFakeSlack } from '../test/support/fake-slack.js';
import { benchDatabase, summarise } from './support.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const LOCK_S = Number(process.env.LOCK_S ?? 15);
const CLICKS = Number(process.env.CLICKS ?? 50);
const COMMANDS = Number(process.env.COMMANDS ?? 10);
const SECRET = 'bench-signing-secret';

const database = await benchDatabase();
const fake = await startFakeSlack();
const limits = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => name.startsWith('DATABASE_') && name !== 'DATABASE_URL'),
) as Record<string, string>;
const service = await startService({
  config: loadConfig({
    ...limits,
    DATABASE_URL: database.url,
    PORT: '0',
    HOST: '127.0.0.1',
    SCHEDULER: 'off',
    QUESTIONS_DIR: path.join(ROOT, 'test/fixtures/mini-bank'),
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_BOT_TOKEN: 'xoxb-bench',
    SLACK_API_URL: fake.apiUrl,
  }),
  logger: createLogger({ level: 'silent', format: 'json' }),
});

try {
  const settings = await service.quiz.subscribe(
    { platform: 'slack', workspaceId: 'T1', userId: 'UADMIN', isPlatformAdmin: true },
    { platform: 'slack', workspaceId: 'T1', channelId: 'C1', channelName: 'general' },
    { time: '09:00', days: 'daily' },
  );
  const daily = await service.quiz.postDailyQuestion(settings.channelId);
  await service.quiz.markPostDelivered(daily.post.id, { channel: 'C1', ts: '1.1' });
  const choice = correctChoice(daily.question);

  const locker = new pg.Client({ connectionString: database.url });
  await locker.connect();
  await locker.query('begin');
  await locker.query('lock table answers in access exclusive mode');
  const lockedAt = performance.now();
  const unlock = new Promise<void>((resolve) =>
    setTimeout(async () => {
      await locker.query('rollback');
      await locker.end();
      resolve();
    }, LOCK_S * 1000),
  );

  const probes: Array<{ at: number; ms: number; status: number }> = [];
  const probing = (async () => {
    while (performance.now() - lockedAt < (LOCK_S + 3) * 1000) {
      const started = performance.now();
      const status = await fetch(`${service.url}/readyz`, { signal: AbortSignal.timeout(30_000) })
        .then((r) => r.status)
        .catch(() => 0);
      probes.push({ at: (started - lockedAt) / 1000, ms: performance.now() - started, status });
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  })();

  const replies: Array<{ kind: 'click' | 'stats'; ms: number; said: 'busy' | 'answered' | 'other' }> = [];
  const waitForReply = async (id: string, kind: 'click' | 'stats', sent: number) => {
    for (let waited = 0; waited < (LOCK_S + 30) * 1000; waited += 20) {
      const body = fake.of(`/response/${id}`)[0]?.body;
      if (body) {
        const text = JSON.stringify(body);
        const said = /busy right now/.test(text)
          ? 'busy'
          : /Correct|Not quite|Answered|No answers yet/.test(text)
            ? 'answered'
            : 'other';
        replies.push({ kind, ms: performance.now() - sent, said });
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    replies.push({ kind, ms: Number.POSITIVE_INFINITY, said: 'other' });
  };

  const work: Promise<void>[] = [];
  for (let i = 0; i < CLICKS; i++) {
    const id = `click-${i}`;
    const sent = performance.now();
    await sendToSlackEndpoint(service.url, SECRET, {
      form: {
        payload: JSON.stringify({
          type: 'block_actions',
          team: { id: 'T1', domain: 'bench' },
          user: { id: `U${i}`, username: `u${i}`, name: `u${i}`, team_id: 'T1' },
          api_app_id: 'A1',
          token: 'legacy',
          trigger_id: '1.2.3',
          container: { type: 'message', message_ts: '1.1', channel_id: 'C1', is_ephemeral: false },
          channel: { id: 'C1', name: 'general' },
          response_url: fake.responseUrl(id),
          actions: [
            {
              action_id: `${ACTIONS.dailySingle}:X`,
              block_id: 'b',
              type: 'button',
              value: JSON.stringify({ p: daily.post.id, c: choice }),
              action_ts: '1',
            },
          ],
          state: { values: {} },
        }),
      },
    });
    work.push(waitForReply(id, 'click', sent));
  }
  for (let i = 0; i < COMMANDS; i++) {
    const id = `stats-${i}`;
    const sent = performance.now();
    await sendToSlackEndpoint(service.url, SECRET, {
      form: {
        command: '/aif-quiz',
        text: 'stats',
        team_id: 'T1',
        team_domain: 'bench',
        channel_id: 'C1',
        channel_name: 'general',
        user_id: `S${i}`,
        user_name: `s${i}`,
        response_url: fake.responseUrl(id),
        trigger_id: '1.2.3',
        api_app_id: 'A1',
        token: 'legacy',
      },
    });
    work.push(waitForReply(id, 'stats', sent));
  }
  await Promise.all(work);
  await unlock;
  await probing;

  const limitsInForce = (service.config.database as { limits?: unknown }).limits;
  console.log(`answers table locked for ${LOCK_S} s; limits ${JSON.stringify(limitsInForce)}`);
  for (const kind of ['click', 'stats'] as const) {
    const mine = replies.filter((r) => r.kind === kind);
    const count = (said: string) => mine.filter((r) => r.said === said).length;
    const waits = summarise(mine.map((r) => r.ms / 1000));
    console.log(
      `${kind.padEnd(5)} n=${mine.length}: busy ${count('busy')}, answered ${count('answered')}, other/none ${count('other')}; ` +
        `wait for a reply s p50 ${waits.p50.toFixed(1)} p95 ${waits.p95.toFixed(1)} max ${waits.max.toFixed(1)}`,
    );
  }
  const during = probes.filter((p) => p.at < LOCK_S);
  const slowest = Math.max(...probes.map((p) => p.ms));
  console.log(
    `/readyz: ${probes.length} probes, slowest ${Math.round(slowest)} ms; during the lock ${during.filter((p) => p.status === 503).length} of ${during.length} said 503; ` +
      `after it ${probes.filter((p) => p.at >= LOCK_S + 1 && p.status === 200).length} of ${probes.filter((p) => p.at >= LOCK_S + 1).length} said 200`,
  );
  console.log(`target: /readyz within 2000 ms: ${slowest <= 2000 ? 'met' : 'NOT met'}`);
} finally {
  await service.close();
  await fake.close();
  await database.drop();
}
