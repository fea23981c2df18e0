import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlackCall {
  method: string;
  body: Record<string, unknown>;
  /** What the fake answered (a posted message's ts, an upload URL…). */
  response?: Record<string, unknown>;
}

/**
 * A local stand-in for the Slack Web API (and for response_url hooks and file upload URLs) that
 * records every call and answers like Slack does. It can be told to answer the next calls of a method with 429 or 500.
 */
export async function startFakeSlack(
  options: { admins?: string[]; teamId?: string; socketUrl?: () => string } = {},
) {
  const calls: SlackCall[] = [];
  const failures = new Map<string, Array<{ status: number; retryAfter?: number }>>();
  const admins = new Set(options.admins ?? []);
  const teamId = options.teamId ?? 'T1';
  let ts = 1_700_000_000;
  let holding: { method: string; after: number } | undefined;
  const held: ServerResponse[] = [];
  const heldCalls: Array<{ res: ServerResponse; call: SlackCall }> = [];

  /** Bytes sent to the upload URLs files.getUploadURLExternal handed out, by file id. */
  const uploads = new Map<string, Buffer>();
  let files = 0;
  let base = '';

  const answer = (method: string, body: Record<string, unknown>): Record<string, unknown> => {
    switch (method) {
      case 'files.getUploadURLExternal': {
        const fileId = `F${++files}`;
        return { ok: true, upload_url: `${base}/upload/${fileId}`, file_id: fileId };
      }
      case 'files.completeUploadExternal': {
        const listed = typeof body.files === 'string' ? JSON.parse(body.files) : (body.files ?? []);
        return {
          ok: true,
          files: (listed as Array<{ id: string; title?: string }>).map((f) => ({
            id: f.id,
            title: f.title ?? '',
          })),
        };
      }
      case 'auth.test':
        return { ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: teamId, team: 'Test team' };
      case 'chat.postMessage':
        return { ok: true, channel: body.channel, ts: `${++ts}.000100`, message: {} };
      case 'chat.update':
        return { ok: true, channel: body.channel, ts: body.ts };
      case 'chat.postEphemeral':
        return { ok: true, message_ts: `${++ts}.000200` };
      case 'conversations.open':
        return { ok: true, channel: { id: `D${String(body.users)}` } };
      case 'users.info':
        return {
          ok: true,
          user: {
            id: body.user,
            name: String(body.user).toLowerCase(),
            is_admin: admins.has(String(body.user)),
          },
        };
      case 'apps.connections.open':
        return { ok: true, url: options.socketUrl?.() ?? 'ws://127.0.0.1:1/' };
      case 'views.publish':
        return { ok: true, view: { id: 'V1' } };
      case 'views.open':
        // Slack answers with the view it opened; a trigger_id is good for one modal, within 3 s.
        return body.trigger_id
          ? { ok: true, view: { id: `V${++ts}`, ...(body.view as Record<string, unknown>) } }
          : { ok: false, error: 'invalid_trigger_id' };
      case 'oauth.v2.access':
        return {
          ok: true,
          app_id: 'A1',
          authed_user: { id: 'UINSTALLER' },
          scope: 'commands,chat:write',
          token_type: 'bot',
          access_token: 'xoxb-installed-token',
          bot_user_id: 'UBOT',
          team: { id: 'T2', name: 'Second team' },
          enterprise: null,
          is_enterprise_install: false,
        };
      default:
        return { ok: true };
    }
  };

  const server: Server = createServer(async (req, res) => {
    const bytes = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://fake');
    if (url.pathname.startsWith('/upload/')) {
      // Step 2 of an external upload: the file's bytes, recorded as method "upload".
      const fileId = url.pathname.slice('/upload/'.length);
      calls.push({
        method: 'upload',
        body: { fileId, length: bytes.length, type: req.headers['content-type'] },
      });
      const planned = failures.get('upload')?.shift();
      if (planned) {
        res.writeHead(planned.status, { 'content-type': 'text/plain' });
        res.end('upload failed');
        return;
      }
      uploads.set(fileId, bytes);
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`OK - ${bytes.length}`);
      return;
    }
    const raw = bytes.toString('utf8');
    const type = req.headers['content-type'] ?? '';
    const body: Record<string, unknown> = type.includes('application/json')
      ? (JSON.parse(raw || '{}') as Record<string, unknown>)
      : Object.fromEntries(new URLSearchParams(raw));
    for (const key of ['blocks', 'view']) {
      if (typeof body[key] === 'string') body[key] = JSON.parse(body[key] as string);
    }
    const method = url.pathname.startsWith('/api/') ? url.pathname.slice('/api/'.length) : url.pathname;
    if (
      holding &&
      holding.method === method &&
      calls.filter((c) => c.method === method).length >= holding.after
    ) {
      // A stalled network: the request never reaches Slack and gets no answer.
      held.push(res);
      heldCalls.push({ res, call: { method, body } });
      return;
    }
    const call: SlackCall = { method, body };
    calls.push(call);
    const planned = failures.get(method)?.shift();
    if (planned) {
      res.writeHead(planned.status, {
        'content-type': 'application/json',
        ...(planned.retryAfter !== undefined ? { 'retry-after': String(planned.retryAfter) } : {}),
      });
      res.end(
        JSON.stringify({ ok: false, error: planned.status === 429 ? 'ratelimited' : 'internal_error' }),
      );
      return;
    }
    call.response = method.startsWith('/response/') ? { ok: true } : answer(method, body);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(call.response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;

  return {
    apiUrl: `${base}/api/`,
    /** A response_url for one interaction; what the bot posts there is recorded as method `/response/<id>`. */
    responseUrl: (id: string) => `${base}/response/${id}`,
    calls,
    /** The bytes uploaded for a file id (as files.getUploadURLExternal returned it). */
    uploaded: (fileId: string) => uploads.get(fileId),
    of: (method: string) => calls.filter((c) => c.method === method),
    failNext(method: string, status: number, times = 1, retryAfter?: number) {
      failures.set(method, [
        ...(failures.get(method) ?? []),
        ...Array.from({ length: times }, () => ({
          status,
          ...(retryAfter !== undefined ? { retryAfter } : {}),
        })),
      ]);
    },
    /** Lets `after` calls of `method` through, then leaves further ones unanswered (until `resume`). */
    holdAfter(method: string, after: number) {
      holding = { method, after };
    },
    /** How many calls are waiting unanswered. */
    heldCount: () => held.length,
    /** Answers again, and answers the requests held so far as if they had only been slow. */
    release() {
      holding = undefined;
      held.length = 0;
      for (const { res, call } of heldCalls.splice(0)) {
        calls.push(call);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify(
            call.method.startsWith('/response/') ? { ok: true } : answer(call.method, call.body),
          ),
        );
      }
    },
    /** Answers again; requests held so far are dropped without an answer. */
    resume() {
      holding = undefined;
      heldCalls.length = 0;
      for (const res of held.splice(0)) res.socket?.destroy();
    },
    clear() {
      calls.length = 0;
    },
    /** Changes who users.info reports as a workspace admin from now on. */
    setAdmins(ids: string[]) {
      admins.clear();
      for (const id of ids) admins.add(id);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of held.splice(0)) res.socket?.destroy();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Signs a request body the way Slack does: v0=HMAC-SHA256("v0:{timestamp}:{body}"). */
export function signSlackRequest(body: string, secret: string, timestamp = Math.floor(Date.now() / 1000)) {
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return { 'x-slack-signature': signature, 'x-slack-request-timestamp': String(timestamp) };
}

/** Posts a signed form or JSON body to the bot's /slack/events. */
export async function sendToSlackEndpoint(
  url: string,
  secret: string,
  payload: { form?: Record<string, string>; json?: unknown },
  options: { timestamp?: number; headers?: Record<string, string>; badSignature?: boolean } = {},
) {
  const body = payload.form ? new URLSearchParams(payload.form).toString() : JSON.stringify(payload.json);
  const signed = signSlackRequest(body, options.badSignature ? 'not-the-secret' : secret, options.timestamp);
  return fetch(`${url}/slack/events`, {
    method: 'POST',
    headers: {
      'content-type': payload.form ? 'application/x-www-form-urlencoded' : 'application/json',
      ...signed,
      ...options.headers,
    },
    body,
  });
}
