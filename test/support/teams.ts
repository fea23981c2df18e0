import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { runJobAt } from '../../src/jobs/scheduler.js';
import { createSendQueue } from '../../src/jobs/send-queue.js';
import { createLogger } from '../../src/logger.js';
import type { RunningService } from '../../src/main.js';
import type { Question } from '../../src/quiz/question.js';
import type { startFakeConnector } from './fake-connector.js';

export type FakeConnector = Awaited<ReturnType<typeof startFakeConnector>>;

export const TEAMS_BOT = { id: '28:aif-quiz-bot', name: 'aif-quiz' };
const silent = createLogger({ level: 'silent', format: 'json' });

/** A message activity in a Teams channel of `tenant`, as the connector delivers it. */
export function teamsChannelActivity(
  connector: FakeConnector,
  at: { tenant: string; conversation: string },
  from: { id: string; name?: string },
  extra: Record<string, unknown>,
) {
  return {
    type: 'message',
    id: `activity-${randomUUID()}`,
    timestamp: new Date().toISOString(),
    serviceUrl: connector.url,
    channelId: 'msteams',
    from: { name: from.id, ...from },
    conversation: { id: at.conversation, conversationType: 'channel', tenantId: at.tenant, isGroup: true },
    recipient: TEAMS_BOT,
    channelData: {
      tenant: { id: at.tenant },
      team: { id: '19:team' },
      channel: { id: at.conversation, name: at.conversation },
    },
    ...extra,
  };
}

export async function postToTeamsBot(service: RunningService, body: unknown): Promise<void> {
  const response = await fetch(`${service.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBeLessThan(300);
}

/** Runs one job at `at` against the service's database and platforms, as the scheduler would. */
export function runServiceJob(
  service: RunningService,
  name: 'daily-post' | 'close-questions' | 'reminders',
  at: Date,
) {
  return runJobAt(
    {
      db: service.database.db,
      quizAt: service.quizAt,
      platforms: service.platforms,
      logger: silent,
      defaultTimezone: 'UTC',
      queue: createSendQueue({ concurrency: 4, perKeyIntervalMs: 0 }),
    },
    name,
    at,
  );
}

/**
 * A Teams channel of its own: the bot is added to it, a team owner subscribes it daily at `now`'s
 * minute (UTC), and the daily-post job runs at `now`. What a test about the question of the day
 * starts from, whatever ran before it. Run the service on a fixed clock at `now` so the question
 * stays today's. The connector's record is cleared afterwards, so the test sees only what it does;
 * the posting itself is returned (`report`, only this channel's outcomes, and `card`).
 */
export async function givenTeamsQuestion(options: {
  service: RunningService;
  connector: FakeConnector;
  tenant: string;
  conversation: string;
  now: Date;
  owner?: string;
}) {
  const { service, connector, now } = options;
  const at = { tenant: options.tenant, conversation: options.conversation };
  const owner = { id: options.owner ?? '29:owner', name: 'Owner' };
  const hhmm = now.toISOString().slice(11, 16);
  await postToTeamsBot(
    service,
    teamsChannelActivity(connector, at, owner, {
      type: 'conversationUpdate',
      membersAdded: [TEAMS_BOT],
      text: undefined,
    }),
  );
  const mention = '<at>aif-quiz</at>';
  await postToTeamsBot(
    service,
    teamsChannelActivity(connector, at, owner, {
      text: `${mention} subscribe ${hhmm} UTC daily`,
      entities: [{ type: 'mention', mentioned: TEAMS_BOT, text: mention }],
    }),
  );
  expect(JSON.stringify(connector.sentTo(at.conversation).at(-1)?.body)).toContain(
    `Question of the day at ${hhmm} (UTC), every day`,
  );
  connector.clear();

  const target = `teams:${at.conversation}`;
  const posted = await runServiceJob(service, 'daily-post', now);
  const report = { ...posted, outcomes: posted.outcomes.filter((o) => o.target === target) };
  const [sent] = connector.sentTo(at.conversation);
  const card = (
    sent?.body.attachments as Array<{ contentType: string; content: { version: string } }> | undefined
  )?.[0];
  const settings = await service.quiz.channelSettings({
    platform: 'teams',
    workspaceId: at.tenant,
    channelId: at.conversation,
  });
  const postId = (await service.quiz.openPostOf(settings!.channelId))!.id;
  const daily = (await service.quiz.getDailyPost(postId))!;
  const question: Question = daily.question;
  const cardActivityId = (daily.post.messageRef as { activityId: string }).activityId;
  connector.clear();
  return { ...at, target, report, card, postId, question, cardActivityId };
}
