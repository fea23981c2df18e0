/**
 * The load generator of bench/slack-answers.ts, run in its own process so that signing and sending
 * requests does not compete with the server for the same event loop. Reads its job as JSON on
 * argv[2]; prints the results as JSON.
 */
import { sendToSlackEndpoint } from '../test/support/fake-slack.js';
import { summarise, withConcurrency } from './support.js';

const job = JSON.parse(process.argv[2] ?? '{}') as {
  url: string;
  secret: string;
  users: string[];
  concurrency: number;
  actionId: string;
  value: string;
  responseUrl: string;
  state?: Record<string, unknown>;
};

const latencies: number[] = [];
const started = performance.now();
await withConcurrency(job.users, job.concurrency, async (user) => {
  const payload = JSON.stringify({
    type: 'block_actions',
    team: { id: 'T1', domain: 'bench' },
    user: { id: user, username: user, name: user, team_id: 'T1' },
    api_app_id: 'A1',
    token: 'legacy',
    trigger_id: '1',
    container: { type: 'message', message_ts: '1.1', channel_id: 'C1' },
    channel: { id: 'C1', name: 'bench' },
    response_url: job.responseUrl,
    actions: [
      { action_id: job.actionId, block_id: 'answer', type: 'button', value: job.value, action_ts: '1' },
    ],
    state: { values: job.state ?? {} },
  });
  const t0 = performance.now();
  const response = await sendToSlackEndpoint(job.url, job.secret, { form: { payload } });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
  latencies.push(performance.now() - t0);
});
const seconds = (performance.now() - started) / 1000;
console.log(JSON.stringify({ throughput: job.users.length / seconds, ...summarise(latencies) }));
