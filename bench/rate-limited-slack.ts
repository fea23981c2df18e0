/** A fake Slack Web API for bench/fanout.ts: about one message per second per channel, else 429. Prints its port. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const lastPost = new Map<string, number>();
let posts = 0;
let refused = 0;
let ts = 0;
const server = createServer((req, res) => {
  let raw = '';
  req.on('data', (chunk) => {
    raw += chunk;
  });
  req.on('end', () => {
    if (req.url === '/stats') {
      res.end(JSON.stringify({ posts, refused }));
      return;
    }
    const body = req.headers['content-type']?.includes('json')
      ? JSON.parse(raw || '{}')
      : Object.fromEntries(new URLSearchParams(raw));
    const channel = String(body.channel ?? '');
    if (req.url?.endsWith('chat.postMessage')) {
      const now = Date.now();
      if (now - (lastPost.get(channel) ?? 0) < 1000) {
        refused++;
        res.writeHead(429, { 'retry-after': '1', 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
        return;
      }
      lastPost.set(channel, now);
      posts++;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: true, channel, ts: `${++ts}.0001` }));
  });
});
server.listen(0, '127.0.0.1', () => console.log((server.address() as AddressInfo).port));
