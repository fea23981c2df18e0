/**
 * A fake Slack for the benchmarks, in a process of its own so that playing Slack does not take the
 * bot's event loop: answers every Web API call and response_url post with ok. With --rate-limit it
 * enforces Slack's published limits and answers 429 with Retry-After beyond them, as Slack does:
 * chat.postMessage about one message per second per channel, and the Tier 4 file methods
 * (files.getUploadURLExternal, files.completeUploadExternal) 100 calls a minute per workspace
 * (the bearer token stands for the workspace), bursts allowed within the minute.
 * Prints its port; GET /stats returns what it received, GET /digests what each channel got
 * (messages, charts uploaded through all three steps), GET /arrivals/<name> when each post to
 * /response/<name>/<user> arrived.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const rateLimit = process.argv.includes('--rate-limit');
const TIER4_PER_MINUTE = 100;
const TIER4_METHODS = new Set(['files.getUploadURLExternal', 'files.completeUploadExternal']);
const lastPost = new Map<string, number>();
/** Recent Tier 4 calls by method and workspace token: a sliding minute. */
const tier4 = new Map<string, number[]>();
const received = {
  posts: 0,
  refused: 0,
  updates: 0,
  responses: 0,
  refusedByMethod: {} as Record<string, number>,
};
/** Per channel: messages posted, and files shared (completeUploadExternal) whose bytes arrived. */
const perChannel = new Map<string, { posts: number; charts: number }>();
const uploadedBytes = new Map<string, number>();
const ticketed = new Set<string>();
let incomplete = 0;
/** When each response_url post arrived, by the URL's path below /response/, in ms since the epoch. */
const arrivals = new Map<string, number>();
let ts = 0;
let files = 0;
let base = '';

function channelStats(channel: string) {
  let found = perChannel.get(channel);
  if (!found) {
    found = { posts: 0, charts: 0 };
    perChannel.set(channel, found);
  }
  return found;
}

/** Seconds until a Tier 4 call fits in the sliding minute, or 0 when it fits now (and is counted). */
function tier4Wait(key: string, now: number): number {
  const recent = (tier4.get(key) ?? []).filter((at) => now - at < 60_000);
  tier4.set(key, recent);
  if (recent.length < TIER4_PER_MINUTE) {
    recent.push(now);
    return 0;
  }
  return Math.max(1, Math.ceil((60_000 - (now - (recent[0] as number))) / 1000));
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
  });
  req.on('end', () => {
    const bytes = Buffer.concat(chunks);
    if (req.url === '/stats') {
      res.end(JSON.stringify({ ...received, incomplete }));
      return;
    }
    if (req.url === '/digests') {
      res.end(JSON.stringify(Object.fromEntries(perChannel)));
      return;
    }
    if (req.url?.startsWith('/arrivals/')) {
      const prefix = `${req.url.slice('/arrivals/'.length)}/`;
      const found: Record<string, number> = {};
      for (const [key, at] of arrivals) if (key.startsWith(prefix)) found[key.slice(prefix.length)] = at;
      res.end(JSON.stringify(found));
      return;
    }
    if (req.url?.startsWith('/upload/')) {
      uploadedBytes.set(req.url.slice('/upload/'.length), bytes.length);
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`OK - ${bytes.length}`);
      return;
    }
    const raw = bytes.toString('utf8');
    const body = req.headers['content-type']?.includes('json')
      ? JSON.parse(raw || '{}')
      : Object.fromEntries(new URLSearchParams(raw));
    const channel = String(body.channel ?? '');
    const method = req.url?.replace(/^\/api\//, '') ?? '';
    const refuse = (retryAfter: number) => {
      received.refused++;
      received.refusedByMethod[method] = (received.refusedByMethod[method] ?? 0) + 1;
      res.writeHead(429, { 'retry-after': String(retryAfter), 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
    };
    const now = Date.now();
    if (rateLimit && TIER4_METHODS.has(method)) {
      const wait = tier4Wait(`${method}|${req.headers.authorization ?? ''}`, now);
      if (wait > 0) return refuse(wait);
    }
    let answer: Record<string, unknown> = { ok: true, channel, ts: `${++ts}.0001` };
    if (req.url?.startsWith('/response/')) {
      received.responses++;
      arrivals.set(req.url.slice('/response/'.length), performance.timeOrigin + performance.now());
    } else if (method === 'chat.update') received.updates++;
    else if (method === 'chat.postMessage') {
      if (rateLimit && now - (lastPost.get(channel) ?? 0) < 1000) return refuse(1);
      lastPost.set(channel, now);
      received.posts++;
      channelStats(channel).posts++;
    } else if (method === 'files.getUploadURLExternal') {
      const fileId = `F${++files}`;
      ticketed.add(fileId);
      answer = { ok: true, upload_url: `${base}/upload/${fileId}`, file_id: fileId };
    } else if (method === 'files.completeUploadExternal') {
      const listed = JSON.parse(String(body.files ?? '[]')) as Array<{ id: string }>;
      for (const file of listed) {
        // All three steps: a ticket, its bytes, then the share into a channel.
        if (ticketed.has(file.id) && (uploadedBytes.get(file.id) ?? 0) > 0)
          channelStats(String(body.channel_id)).charts++;
        else incomplete++;
      }
      answer = { ok: true, files: listed };
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer));
  });
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}`;
  console.log(port);
});
