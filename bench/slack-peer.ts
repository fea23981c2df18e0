/**
 * A fake Slack for the benchmarks, in a process of its own so that playing Slack does not take the
 * bot's event loop: answers every Web API call and response_url post with ok. With --rate-limit it
 * allows about one message per second per channel and answers 429 beyond that, as Slack does.
 * Prints its port; GET /stats returns what it received, GET /arrivals/<name> when each post to
 * /response/<name>/<user> arrived.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const rateLimit = process.argv.includes('--rate-limit');
const lastPost = new Map<string, number>();
const received = { posts: 0, refused: 0, updates: 0, responses: 0 };
/** When each response_url post arrived, by the URL's path below /response/, in ms since the epoch. */
const arrivals = new Map<string, number>();
let ts = 0;
const server = createServer((req, res) => {
  let raw = '';
  req.on('data', (chunk) => {
    raw += chunk;
  });
  req.on('end', () => {
    if (req.url === '/stats') {
      res.end(JSON.stringify(received));
      return;
    }
    if (req.url?.startsWith('/arrivals/')) {
      const prefix = `${req.url.slice('/arrivals/'.length)}/`;
      const found: Record<string, number> = {};
      for (const [key, at] of arrivals) if (key.startsWith(prefix)) found[key.slice(prefix.length)] = at;
      res.end(JSON.stringify(found));
      return;
    }
    const body = req.headers['content-type']?.includes('json')
      ? JSON.parse(raw || '{}')
      : Object.fromEntries(new URLSearchParams(raw));
    const channel = String(body.channel ?? '');
    if (req.url?.startsWith('/response/')) {
      received.responses++;
      arrivals.set(req.url.slice('/response/'.length), performance.timeOrigin + performance.now());
    } else if (req.url?.endsWith('chat.update')) received.updates++;
    else if (req.url?.endsWith('chat.postMessage')) {
      const now = Date.now();
      if (rateLimit && now - (lastPost.get(channel) ?? 0) < 1000) {
        received.refused++;
        res.writeHead(429, { 'retry-after': '1', 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
        return;
      }
      lastPost.set(channel, now);
      received.posts++;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: true, channel, ts: `${++ts}.0001` }));
  });
});
server.listen(0, '127.0.0.1', () => console.log((server.address() as AddressInfo).port));
