import path from 'node:path';
import { Writable } from 'node:stream';
import type { Installation } from '@slack/bolt';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { queryRows } from '../../src/db/client.js';
import { slackInstallations } from '../../src/db/schema.js';
import { createLogger } from '../../src/logger.js';
import { startService } from '../../src/main.js';
import { createInstallationStore } from '../../src/platforms/slack/installation-store.js';
import { createSecretBox, keyIdOf } from '../../src/secret-box.js';
import { ROOT } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const KEY_1 = Buffer.alloc(32, 1).toString('base64');
const KEY_2 = Buffer.alloc(32, 2).toString('base64');
const KEY_3 = Buffer.alloc(32, 3).toString('base64');
const idOf = (key: string) => keyIdOf(Buffer.from(key, 'base64'));
const TOKEN = 'xoxb-stored-before-encryption';

const installation = {
  team: { id: 'T9', name: 'Ninth team' },
  enterprise: undefined,
  isEnterpriseInstall: false,
  appId: 'A1',
  bot: { token: TOKEN, userId: 'UBOT', id: 'BBOT', scopes: ['commands'] },
  tokenType: 'bot',
} as unknown as Installation;

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  // A row as the service stored it before it encrypted anything.
  await database.handle.db.insert(slackInstallations).values({
    id: 'T9',
    teamId: 'T9',
    botUserId: 'UBOT',
    installation: installation as unknown as Record<string, unknown>,
  });
});

afterAll(async () => {
  await database.destroy();
});

/** Starts and stops the service once on the shared database, as a deployment's restart would; returns its logs. */
async function restartWith(env: Record<string, string>): Promise<string[]> {
  const lines: string[] = [];
  const logs = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    SCHEDULER: 'off',
    QUESTIONS_DIR: path.join(ROOT, 'test/fixtures/mini-bank'),
    ...(database.config.kind === 'postgres'
      ? { DATABASE_URL: database.config.url }
      : { DATA_DIR: database.config.dataDir }),
    SLACK_SIGNING_SECRET: 'signing-secret',
    SLACK_CLIENT_ID: '1.2',
    SLACK_CLIENT_SECRET: 'client-secret',
    SLACK_STATE_SECRET: 'state-secret',
    LOG_LEVEL: 'info',
    ...env,
  });
  const service = await startService({
    config,
    logger: createLogger({ ...config.log, format: 'json' }, logs),
  });
  await service.close();
  return lines;
}

async function storedRow() {
  const [row] = await queryRows<{ key_id: string | null; installation: unknown; whole: string }>(
    database.handle.db,
    sql`select key_id, installation, t::text as whole from slack_installations t where id = 'T9'`,
  );
  return row;
}

const fetchWith = (keys: { key?: string; previousKeys: string[] }) =>
  createInstallationStore(database.handle.db, createSecretBox(keys)).fetchInstallation({
    teamId: 'T9',
    enterpriseId: undefined,
    isEnterpriseInstall: false,
  });

describe('Slack installation tokens at rest', () => {
  it('a clear row is encrypted at start-up, re-encrypted when the key rotates, and left alone without its key', async () => {
    expect((await storedRow())?.whole).toContain(TOKEN);

    // ENCRYPTION_KEY set for the first time: the row stored in clear is sealed at start-up.
    const first = await restartWith({ ENCRYPTION_KEY: KEY_1 });
    const sealed = await storedRow();
    expect(sealed?.key_id).toBe(idOf(KEY_1));
    expect(sealed?.installation).toBeNull();
    expect(sealed?.whole).not.toContain(TOKEN);
    expect(sealed?.whole).not.toContain('xoxb-');
    expect(first.join('\n')).toContain('Slack installations encrypted with the current key');
    expect((await fetchWith({ key: KEY_1, previousKeys: [] })).bot?.token).toBe(TOKEN);

    // Rotation: the new key, with the old one still listed, re-encrypts the row at start-up.
    await restartWith({ ENCRYPTION_KEY: KEY_2, ENCRYPTION_KEYS: KEY_1 });
    expect((await storedRow())?.key_id).toBe(idOf(KEY_2));
    expect((await fetchWith({ key: KEY_2, previousKeys: [] })).bot?.token).toBe(TOKEN);
    await expect(fetchWith({ key: KEY_1, previousKeys: [] })).rejects.toThrow(
      /neither ENCRYPTION_KEY nor listed in ENCRYPTION_KEYS/,
    );

    // The key that sealed it is gone: said at start-up, and the row is kept for when it comes back.
    const lost = await restartWith({ ENCRYPTION_KEY: KEY_3 });
    expect(lost.join('\n')).toContain(
      'encrypted with a key that is in neither ENCRYPTION_KEY nor ENCRYPTION_KEYS',
    );
    expect((await storedRow())?.key_id).toBe(idOf(KEY_2));
    for (const key of [KEY_1, KEY_2, KEY_3]) expect([...first, ...lost].join('\n')).not.toContain(key);
  });

  it('a sealed installation copied onto another workspace row does not open', async () => {
    const box = createSecretBox({ key: KEY_2, previousKeys: [] });
    const store = createInstallationStore(database.handle.db, box);
    await store.storeInstallation({ ...installation, team: { id: 'T11', name: 'Eleventh' } } as Installation);
    const [row] = await database.handle.db
      .select()
      .from(slackInstallations)
      .where(eq(slackInstallations.id, 'T11'));
    await database.handle.db.insert(slackInstallations).values({ ...row!, id: 'T12', teamId: 'T12' });
    expect(
      (await store.fetchInstallation({ teamId: 'T11', isEnterpriseInstall: false, enterpriseId: undefined }))
        .bot?.token,
    ).toBe(TOKEN);
    await expect(
      store.fetchInstallation({ teamId: 'T12', enterpriseId: undefined, isEnterpriseInstall: false }),
    ).rejects.toThrow(/damaged or moved/);
  });

  it('in production, Slack OAuth without ENCRYPTION_KEY refuses to start, naming the variable', async () => {
    await expect(restartWith({ NODE_ENV: 'production' })).rejects.toThrow(/ENCRYPTION_KEY is required/);
  });
});
