import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.js';
import { createReports } from '../../src/insight/reports.js';
import { createReportsRepository } from '../../src/insight/reports.repository.js';
import { runCli } from '../support/cli.js';
import { testPostgresUrl } from '../support/database.js';
import { createInsightDatabase, pngHeader } from './seed.js';

type Setup = Awaited<ReturnType<typeof createInsightDatabase>>;
let t: Setup;
let dir: string;
let env: Record<string, string>;

// The command line opens its own database by URL, so these need the run's Postgres server. Each
// run starts Node and tsx afresh, which takes seconds on a busy machine: hence the long timeout.
describe.skipIf(!testPostgresUrl())('the team-insight commands', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    t = await createInsightDatabase();
    if (t.database.config.kind !== 'postgres') throw new Error('needs Postgres');
    env = { DATABASE_URL: t.database.config.url };
    dir = await mkdtemp(path.join(tmpdir(), 'aifq-insight-'));
    const channel = await t.seed.channel('C0123ABCD', { name: '#aws-study' });
    const people = (await t.seed.people(3)) as [string, string, string];
    const post = await t.seed.post(channel.id, '2026-11-24', 'access-001');
    await t.seed.answer(post, [
      { userId: people[0], choice: [0], correct: true },
      { userId: people[1], choice: [2], correct: false },
    ]);
    const reports = createReports({
      repository: createReportsRepository(t.db),
      clock: fixedClock('2026-11-30T10:00:00Z'),
    });
    await reports.report({
      reporterId: people[2],
      questionId: 'access-001',
      questionVersion: 1,
      reason: 'outdated',
      text: 'IAM has a newer feature for this.',
    });
  });

  afterAll(async () => {
    await t?.database.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('digest-preview writes the PNG the channel would get and prints its text alternative', async () => {
    const out = path.join(dir, 'chart.png');
    const run = await runCli(
      ['digest-preview', '--channel', 'C0123ABCD', '--at', '2026-11-30T09:00:00Z', '--out', out],
      { env, timeoutMs: 60_000 },
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const header = pngHeader(await readFile(out));
    expect(header.signature).toBe(true);
    expect(run.stdout).toContain(`Wrote ${out}: ${header.width}×${header.height} px`);
    expect(run.stdout).toContain('2026-W48 (from 2026-11-23): 2 people answered. ');
    expect(run.stdout).toContain('D5 Security: 1/2 (50%)');
  });

  it('digest-preview names an unknown channel and a time it cannot read', async () => {
    const unknown = await runCli(['digest-preview', '--channel', 'CNOPE', '--out', path.join(dir, 'x.png')], {
      env,
    });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No channel "CNOPE" is known to the bot');
    const badTime = await runCli(
      ['digest-preview', '--channel', 'C0123ABCD', '--at', 'monday', '--out', path.join(dir, 'x.png')],
      { env },
    );
    expect(badTime.stderr).toContain('--at "monday" is not a time');
  });

  it('questions stats --items reports each question asked, from the database', async () => {
    const run = await runCli(['questions', 'stats', '--items'], { env });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Item statistics: 1 question version(s) asked');
    expect(run.stdout).toMatch(/access-001 v1\s+1\s+2\s+50%\s+–\s+A 50%\*\s+B 0%\s+C 50%\s+D 0%/);
  });

  it('questions reports lists the open reports, and questions resolve closes them', async () => {
    const list = await runCli(['questions', 'reports'], { env });
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('1 open report(s) on 1 question(s):');
    expect(list.stdout).toContain('access-001 (now v1): 1 open');
    expect(list.stdout).toContain('outdated, by U3: IAM has a newer feature for this.');

    const resolve = await runCli(['questions', 'resolve', 'access-001', '--note', 'Checked: still right.'], {
      env,
    });
    expect(resolve.stdout).toContain('Resolved 1 report(s) on access-001.');
    expect((await runCli(['questions', 'reports'], { env })).stdout).toContain('No open reports.');
  });
});
