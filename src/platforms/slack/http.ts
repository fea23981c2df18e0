import { Agent, request } from 'undici';
import { signalRateLimited } from '../../metrics/signals.js';

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
  if (answer.statusCode === 429) signalRateLimited('slack');
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

/** Attempts at a response_url post, and the wait before the second; each later wait doubles. */
const REPLY_ATTEMPTS = 3;
const REPLY_RETRY_MS = 200;

/**
 * Posts a reply to a command's or a click's response_url (what Bolt's respond() does), without
 * dressing the answer up as a fetch Response: it runs once per click. The reply often tells
 * someone what was just stored, so a refused or broken post (5xx, 429, a dropped connection) is
 * tried again a few times before giving up; a 4xx other than 429 will not get better and is not.
 */
export async function postToResponseUrl(url: string, message: Record<string, unknown>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    let status: number;
    try {
      const answer = await request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(message),
        dispatcher: pool,
      });
      await answer.body.dump();
      status = answer.statusCode;
    } catch (error) {
      if (attempt >= REPLY_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, REPLY_RETRY_MS * 2 ** (attempt - 1)));
      continue;
    }
    if (status < 300) return;
    const retryable = status === 429 || status >= 500;
    if (!retryable || attempt >= REPLY_ATTEMPTS)
      throw new Error(`Slack answered ${status} to a response_url post`);
    await new Promise((resolve) => setTimeout(resolve, REPLY_RETRY_MS * 2 ** (attempt - 1)));
  }
}

/**
 * Sends a file's bytes to the upload URL Slack handed out (step 2 of the external upload), as raw
 * bytes. Slack answers 200 once it has them; anything else is a failed upload.
 */
export async function postBytes(url: string, bytes: Buffer, contentType: string): Promise<void> {
  const answer = await request(url, {
    method: 'POST',
    headers: { 'content-type': contentType, 'content-length': String(bytes.length) },
    body: bytes,
    dispatcher: pool,
  });
  await answer.body.dump();
  if (answer.statusCode !== 200)
    throw Object.assign(new Error(`Slack answered ${answer.statusCode} to a file upload`), {
      statusCode: answer.statusCode,
    });
}
