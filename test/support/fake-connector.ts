import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ConnectorCall {
  method: string;
  /** The path with the conversation id decoded, e.g. /v3/conversations/19:abc@thread.tacv2/activities. */
  path: string;
  body: Record<string, unknown>;
}

/**
 * A local stand-in for the Bot Framework Connector: records what the bot sends to the activity's
 * serviceUrl, answers like the connector does, and can answer the next sends with an error status.
 */
export async function startFakeConnector(options: { owners?: string[] } = {}) {
  const calls: ConnectorCall[] = [];
  const failures: number[] = [];
  const owners = new Set(options.owners ?? []);
  let counter = 0;
  let delayMs = 0;

  const server: Server = createServer(async (req, res) => {
    const raw = await readBody(req);
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://fake').pathname);
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    if (delayMs > 0 && req.method !== 'GET') await new Promise((resolve) => setTimeout(resolve, delayMs));
    calls.push({ method: req.method ?? 'GET', path, body });
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(payload));
    };
    if (req.method !== 'GET' && failures.length > 0) {
      const status = failures.shift() as number;
      send(
        status,
        { error: { code: 'Throttled', message: 'slow down' } },
        status === 429 ? { 'retry-after': '1' } : {},
      );
      return;
    }
    const member = /^\/v3\/conversations\/[^/]+\/members\/(.+)$/.exec(path);
    if (req.method === 'GET' && member) {
      const id = member[1] as string;
      send(200, { id, name: id, aadObjectId: `aad-${id}`, userRole: owners.has(id) ? 'owner' : 'user' });
      return;
    }
    if (req.method === 'POST' && path === '/v3/conversations') {
      const members = (body.members as Array<{ id: string }> | undefined) ?? [];
      send(201, { id: `a:personal-${members[0]?.id ?? 'x'}`, activityId: `act-${++counter}` });
      return;
    }
    send(200, { id: `act-${++counter}` });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    calls,
    /** Activities sent into one conversation (new messages and thread replies). */
    sentTo: (conversationId: string) =>
      calls.filter(
        (c) => c.method === 'POST' && c.path.startsWith(`/v3/conversations/${conversationId}/activities`),
      ),
    updates: () => calls.filter((c) => c.method === 'PUT'),
    failNext(...statuses: number[]) {
      failures.push(...statuses);
    },
    clear() {
      calls.length = 0;
    },
    /** Answers every later send only after `ms`: a slow connector, so sends are in flight for a while. */
    slowDown(ms: number) {
      delayMs = ms;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (chunk) => {
      data += chunk;
    });
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}
