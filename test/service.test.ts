import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { startService } from '../src/main.js';
import { runCli, startCli } from './support/cli.js';
import { createPostgresDatabase, testPostgresUrl } from './support/database.js';

const silent = createLogger({ level: 'silent', format: 'json' });

describe('the service', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('answers health and readiness once started, and names unconfigured platforms', async () => {
    const serverUrl = testPostgresUrl();
    const database = serverUrl ? await createPostgresDatabase(serverUrl) : undefined;
    if (database) cleanups.push(database.drop);
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      SCHEDULER: 'off',
      ...(database ? { DATABASE_URL: database.url } : { DATA_DIR: 'memory://' }),
    });
    const service = await startService({ config, logger: silent });
    cleanups.push(service.close);

    const health = await fetch(`${service.url}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${service.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });

    const slack = await fetch(`${service.url}/slack/events`, { method: 'POST' });
    expect(slack.status).toBe(404);
    expect(((await slack.json()) as { error: string }).error).toContain('Slack is not configured');
  });

  it('reports not ready when the database is gone', async () => {
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', SCHEDULER: 'off', DATA_DIR: 'memory://' });
    const service = await startService({ config, logger: silent });
    await service.database.close();
    const ready = await fetch(`${service.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { status: string }).status).toBe('not ready');
    await service.close().catch(() => {});
  });
});

describe('the aif-quiz command line', () => {
  it('stops start-up on a bad setting, naming the variable, with a non-zero exit', async () => {
    const run = await runCli(['start'], { env: { PORT: 'abc' } });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('PORT "abc" must be a whole number from 0 to 65535');
  });

  it('refuses a Slack token without its signing secret', async () => {
    const run = await runCli(['start'], { env: { SLACK_BOT_TOKEN: 'xoxb-1' } });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('SLACK_SIGNING_SECRET is required');
  });

  it('without a chat platform or a terminal, start-up explains what to set and fails', async () => {
    const run = await runCli(['start'], { env: { DATA_DIR: 'memory://' } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('No chat platform is configured, and there is no terminal');
    expect(run.stderr).toContain('SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN');
  });

  it('prints help and fails on an unknown command', async () => {
    const run = await runCli(['strat']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("unknown command 'strat'");
    expect(run.stderr).toContain('(Did you mean start?)');
  });

  it('has --help on every command', async () => {
    for (const args of [
      ['--help'],
      ['start', '--help'],
      ['migrate', '--help'],
      ['questions', 'check', '--help'],
    ]) {
      const run = await runCli(args);
      expect(run.code, args.join(' ')).toBe(0);
      expect(run.stdout).toContain('Usage: aif-quiz');
    }
  });

  it('`aif-quiz start` on a fresh embedded database becomes ready, and `migrate` then has nothing to do', {
    timeout: 120_000,
  }, async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'aifq-data-'));
    try {
      const service = await startCli({ DATA_DIR: dataDir, SCHEDULER: 'off' });
      expect(service.output()).toContain('"msg":"chat platforms"');
      expect(service.output()).toContain('SLACK_SIGNING_SECRET + SLACK_BOT_TOKEN');
      expect((await fetch(`${service.url}/readyz`)).status).toBe(200);
      expect(await service.stop()).toBe(0);

      const migrate = await runCli(['migrate'], { env: { DATA_DIR: dataDir } });
      expect(migrate.code).toBe(0);
      expect(migrate.stdout).toMatch(/Applied 0 migration\(s\); \d+ in total\./);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('WEB_CONCURRENCY=2 serves from two processes on one port, with one scheduler, and stops cleanly', {
    timeout: 120_000,
  }, async ({ skip }) => {
    const serverUrl = testPostgresUrl();
    if (!serverUrl) return skip('needs a Postgres server: the embedded database is single-process');
    const database = await createPostgresDatabase(serverUrl);
    onTestFinished(database.drop);
    const service = await startCli({ DATABASE_URL: database.url, WEB_CONCURRENCY: '2' }, 2);
    const urls = service.readyUrls();
    expect(urls).toHaveLength(2);
    expect(urls[0]).toBe(urls[1]);
    expect(service.output().match(/"msg":"scheduler started/g)).toHaveLength(1);
    for (let i = 0; i < 4; i++) expect((await fetch(`${service.url}/readyz`)).status).toBe(200);

    expect(await service.stop()).toBe(0);
    expect(service.output().match(/"msg":"aif-quiz stopped"/g)).toHaveLength(2);
  });

  it('refuses WEB_CONCURRENCY above 1 on the embedded database, saying why', () => {
    expect(() => loadConfig({ WEB_CONCURRENCY: '2' })).toThrow(
      /WEB_CONCURRENCY is 2, but the embedded database can be opened by one process only/,
    );
    expect(() => loadConfig({ WEB_CONCURRENCY: 'many' })).toThrow(
      /WEB_CONCURRENCY "many" must be a whole number/,
    );
  });
});
