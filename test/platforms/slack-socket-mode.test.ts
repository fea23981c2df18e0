import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import type { RunningService } from '../../src/main.js';
import { startFakeSlack } from '../support/fake-slack.js';
import { startTestService } from '../support/service.js';

// Socket Mode: the bot opens a websocket to Slack (its URL comes from apps.connections.open) and
// receives envelopes over it, acknowledging each by its envelope id. Here a local websocket server
// plays Slack's side.
let fake: Awaited<ReturnType<typeof startFakeSlack>>;
let sockets: WebSocketServer;
let service: RunningService;
const connected: WebSocket[] = [];
const received: Array<Record<string, unknown>> = [];
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  sockets = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => sockets.once('listening', () => resolve()));
  const socketUrl = `ws://127.0.0.1:${(sockets.address() as AddressInfo).port}/link`;
  sockets.on('connection', (socket) => {
    connected.push(socket);
    socket.on('message', (data) => received.push(JSON.parse(String(data)) as Record<string, unknown>));
    socket.send(
      JSON.stringify({
        type: 'hello',
        num_connections: 1,
        debug_info: { host: 'fake' },
        connection_info: { app_id: 'A1' },
      }),
    );
  });
  fake = await startFakeSlack({ admins: ['UADMIN'], socketUrl: () => socketUrl });
  const started = await startTestService({
    SLACK_APP_TOKEN: 'xapp-1-test',
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_API_URL: fake.apiUrl,
  });
  service = started.service;
  cleanups.push(started.stop);
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  for (const socket of connected) socket.terminate();
  await new Promise<void>((resolve) => sockets.close(() => resolve()));
  await fake.close();
});

async function until<T>(find: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 250; i++) {
    const found = find();
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('Slack over Socket Mode', () => {
  it('connects with the app token and serves no public Slack endpoint', async () => {
    expect(fake.of('apps.connections.open')).toHaveLength(1);
    await until(() => connected[0], 'the websocket connection');
    const response = await fetch(`${service.url}/slack/events`, { method: 'POST' });
    expect(response.status).toBe(404);
  });

  it('answers /aif-quiz delivered as an envelope, and acknowledges it by id', async () => {
    await until(() => connected[0], 'the websocket connection');
    connected[0]?.send(
      JSON.stringify({
        envelope_id: 'env-1',
        type: 'slash_commands',
        accepts_response_payload: true,
        payload: {
          command: '/aif-quiz',
          text: 'subscribe 09:00 Europe/Berlin weekdays',
          team_id: 'T1',
          channel_id: 'C1',
          channel_name: 'general',
          user_id: 'UADMIN',
          user_name: 'admin',
          response_url: fake.responseUrl('socket'),
          trigger_id: '1',
          api_app_id: 'A1',
        },
      }),
    );
    await until(() => received.find((m) => m.envelope_id === 'env-1'), 'the envelope acknowledgement');
    const reply = await until(() => fake.of('/response/socket')[0], 'the reply');
    expect(JSON.stringify(reply.body)).toContain(
      'Subscribed. Question of the day at 09:00 (Europe/Berlin), weekdays',
    );
    const settings = await service.quiz.channelSettings({
      platform: 'slack',
      workspaceId: 'T1',
      channelId: 'C1',
    });
    expect(settings).toMatchObject({ active: true, timezone: 'Europe/Berlin', postTime: '09:00' });
  });
});
