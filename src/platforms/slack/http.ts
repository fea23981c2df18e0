import { Agent, request } from 'undici';

/**
 * The Web API client's HTTP transport. It speaks fetch, but a morning fan-out makes thousands of
 * small calls and fetch's web streams cost more CPU than the calls themselves; undici's request API
 * over a keep-alive pool does the same work for much less. Only what the client reads is provided.
 */
const pool = new Agent({ connections: 64, keepAliveTimeout: 30_000, pipelining: 1 });

export async function slackFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.toString() : input.url;
  const answer = await request(url, {
    method: (init.method ?? 'GET') as 'GET' | 'POST',
    headers: init.headers as Record<string, string>,
    body: init.body as string | undefined,
    dispatcher: pool,
    ...(init.signal ? { signal: init.signal } : {}),
  });
  const bytes = Buffer.from(await answer.body.arrayBuffer());
  const headers = new Headers();
  for (const [name, value] of Object.entries(answer.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const text = () => bytes.toString('utf8');
  const response = {
    ok: answer.statusCode >= 200 && answer.statusCode < 300,
    status: answer.statusCode,
    statusText: '',
    url,
    headers,
    text: async () => text(),
    json: async () => JSON.parse(text()),
    arrayBuffer: async () => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
  };
  return response as unknown as Response;
}

/**
 * Posts a reply to a command's or a click's response_url (what Bolt's respond() does), without
 * dressing the answer up as a fetch Response: it runs once per click.
 */
export async function postToResponseUrl(url: string, message: Record<string, unknown>): Promise<void> {
  const answer = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(message),
    dispatcher: pool,
  });
  await answer.body.dump();
  if (answer.statusCode >= 300) throw new Error(`Slack answered ${answer.statusCode} to a response_url post`);
}
