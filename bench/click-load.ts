/**
 * The load generator of bench/slack-answers.ts, run in its own process so that sending requests
 * does not compete with the server for the same event loop. Every click is built and signed before
 * the clock starts; each of `concurrency` clients then sends its share over its own keep-alive
 * connection, one request at a time, as bytes written straight to the socket. A general HTTP client
 * costs several times more CPU per request, and on a 2-core machine the generator's CPU is taken
 * from the server it measures. Reads its job as JSON on argv[2]; prints the results as JSON.
 */
import { connect, type Socket } from 'node:net';
import { signSlackRequest } from '../test/support/fake-slack.js';
import { summarise } from './support.js';

const job = JSON.parse(process.argv[2] ?? '{}') as {
  url: string;
  secret: string;
  users: string[];
  concurrency: number;
  actionId: string;
  value: string;
  responseUrl: string;
  state?: Record<string, unknown>;
  /** The channel the question was posted in: an answer counts only there. */
  channel?: string;
  /**
   * Open loop: clicks leave at this many per second whatever the answers, as people click, and
   * latency counts from when a click was due (so a slow server is not hidden by fewer clicks).
   */
  rate?: number;
};
const target = new URL(job.url);

const clicks = job.users.map((user) => {
  const payload = JSON.stringify({
    type: 'block_actions',
    team: { id: 'T1', domain: 'bench' },
    user: { id: user, username: user, name: user, team_id: 'T1' },
    api_app_id: 'A1',
    token: 'legacy',
    trigger_id: '1',
    container: { type: 'message', message_ts: '1.1', channel_id: job.channel ?? 'C1' },
    channel: { id: job.channel ?? 'C1', name: 'bench' },
    response_url: `${job.responseUrl}/${user}`,
    actions: [
      { action_id: job.actionId, block_id: 'answer', type: 'button', value: job.value, action_ts: '1' },
    ],
    state: { values: job.state ?? {} },
  });
  const body = new URLSearchParams({ payload }).toString();
  const signed = signSlackRequest(body, job.secret);
  return Buffer.from(
    'POST /slack/events HTTP/1.1\r\n' +
      `Host: ${target.host}\r\n` +
      'Content-Type: application/x-www-form-urlencoded\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Slack-Signature: ${signed['x-slack-signature']}\r\n` +
      `X-Slack-Request-Timestamp: ${signed['x-slack-request-timestamp']}\r\n\r\n${body}`,
  );
});

/** Sends one request and resolves with its status once the whole response is in. */
function exchange(socket: Socket, request: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    let received: Buffer = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
      const headEnd = received.indexOf('\r\n\r\n');
      if (headEnd < 0) return;
      const head = received.subarray(0, headEnd).toString('latin1');
      const status = Number(head.slice(9, 12));
      const length = /\r\ncontent-length: *(\d+)/i.exec(head)?.[1];
      if (length !== undefined) {
        if (received.length >= headEnd + 4 + Number(length)) done(undefined, status);
      } else if (/\r\ntransfer-encoding: *chunked/i.test(head)) {
        // The last chunk has size 0; the acknowledgements this reads are empty or short.
        const body = received.subarray(headEnd + 4).toString('latin1');
        if (body === '0\r\n\r\n' || body.endsWith('\r\n0\r\n\r\n')) done(undefined, status);
      } else done(new Error(`a response with neither Content-Length nor chunks:\n${head}`));
    };
    const onClose = () => done(new Error('the server closed the connection'));
    const done = (error?: Error, status?: number) => {
      socket.off('data', onData);
      socket.off('close', onClose);
      if (error) reject(error);
      else resolve(status as number);
    };
    socket.on('data', onData);
    socket.on('close', onClose);
    socket.write(request);
  });
}

const sockets = await Promise.all(
  Array.from(
    { length: Math.min(job.concurrency, clicks.length) },
    () =>
      new Promise<Socket>((resolve, reject) => {
        const socket = connect(Number(target.port), target.hostname, () => resolve(socket));
        socket.setNoDelay(true);
        socket.once('error', reject);
      }),
  ),
);

// One request per connection before the clock starts, so that accepting connections and the first
// pass through both sides' code is not counted as answer latency.
const probe = Buffer.from(`GET /healthz HTTP/1.1\r\nHost: ${target.host}\r\n\r\n`);
await Promise.all(sockets.map((socket) => exchange(socket, probe)));

const latencies: number[] = [];
const sentAt: Record<string, number> = {};
let next = 0;
const cpu = process.cpuUsage();
const started = performance.now();
await Promise.all(
  sockets.map(async (socket) => {
    while (next < clicks.length) {
      const i = next++;
      const request = clicks[i] as Buffer;
      const due = job.rate ? started + (i * 1000) / job.rate : 0;
      if (due > performance.now())
        await new Promise((resolve) => setTimeout(resolve, due - performance.now()));
      const t0 = job.rate ? due : performance.now();
      sentAt[job.users[i] as string] = performance.timeOrigin + t0;
      const status = await exchange(socket, request);
      if (status !== 200) throw new Error(`HTTP ${status}`);
      latencies.push(performance.now() - t0);
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
const used = process.cpuUsage(cpu);
for (const socket of sockets) socket.destroy();
console.log(
  JSON.stringify({
    throughput: clicks.length / seconds,
    startedAt: performance.timeOrigin + started,
    loadCpuShare: (used.user + used.system) / 1e6 / seconds,
    ...summarise(latencies),
    sentAt,
  }),
);
