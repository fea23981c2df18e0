import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { channels, jobRuns, processedEvents, workspaces } from '../../src/db/schema.js';
import { digestCharts } from '../../src/jobs/digest-charts.table.js';
import type { RunningService } from '../../src/main.js';
import { startTestService } from '../support/service.js';

const DAY = 86_400_000;
/** The instant the housekeeping runs as. */
const AT = new Date('2026-12-05T03:00:00Z');
const ago = (days: number) => new Date(AT.getTime() - days * DAY);

let service: RunningService;
let stop: () => Promise<void>;
let db: Database;

beforeAll(async () => {
  const started = await startTestService({ LOG_LEVEL: 'warn' });
  service = started.service;
  stop = started.stop;
  db = service.database.db;
}, 120_000);

afterAll(async () => {
  await stop?.();
});

const keysOf = async (table: typeof jobRuns | typeof processedEvents | typeof digestCharts) =>
  (await db.select({ key: table.key }).from(table)).map((r) => r.key).sort();

describe('housekeeping', () => {
  it('deletes old finished claims, old handled deliveries and old settled charts, and keeps the rest', {
    timeout: 60_000,
  }, async () => {
    await db.insert(jobRuns).values([
      {
        key: 'reminder:u1:2026-W30',
        job: 'reminders',
        status: 'done',
        startedAt: ago(120),
        finishedAt: ago(120),
      },
      { key: 'weekly-digest:c1:2026-W30', job: 'weekly-digest', status: 'failed', startedAt: ago(91) },
      {
        key: 'reminder:u1:2026-W45',
        job: 'reminders',
        status: 'done',
        startedAt: ago(30),
        finishedAt: ago(30),
      },
      // Never finished (sent but not recorded): kept, so it is never sent again.
      { key: 'weekly-digest:c1:2026-W20', job: 'weekly-digest', status: 'running', startedAt: ago(200) },
      // A job whose keys were not checked for a period: left alone.
      { key: 'other:thing', job: 'other', status: 'done', startedAt: ago(400) },
    ]);
    await db.insert(processedEvents).values([
      { key: 'slack:Ev-old', receivedAt: ago(8) },
      { key: 'teams:conv:act-old', receivedAt: ago(30) },
      { key: 'slack:Ev-new', receivedAt: ago(1) },
      // Still being handled: its owner's, whatever its age.
      { key: 'slack:Ev-leased', receivedAt: ago(10), leaseUntil: new Date(Date.now() + 60_000) },
      // Once and for all: another prefix, kept.
      { key: 'teams-greeting:conv', receivedAt: ago(300) },
    ]);
    const [workspace] = await db
      .insert(workspaces)
      .values({ platform: 'slack', externalId: 'THOUSE' })
      .returning({ id: workspaces.id });
    const [channel] = await db
      .insert(channels)
      .values({ workspaceId: workspace?.id as string, externalId: 'CHOUSE' })
      .returning({ id: channels.id });
    const chart = (key: string, status: 'owed' | 'sent' | 'dropped', days: number) => ({
      key,
      channelId: channel?.id as string,
      workspace: 'slack:THOUSE',
      week: key.slice(-8),
      messageRef: { channel: 'CHOUSE', ts: '1.2' },
      owedSince: ago(days),
      status,
      settledAt: status === 'owed' ? null : ago(days),
    });
    await db
      .insert(digestCharts)
      .values([
        chart('weekly-digest:c1:2026-W30', 'sent', 60),
        chart('weekly-digest:c1:2026-W31', 'dropped', 40),
        chart('weekly-digest:c1:2026-W47', 'sent', 5),
        chart('weekly-digest:c1:2026-W32', 'owed', 50),
      ]);

    const report = await service.runJob('housekeeping', AT);
    expect(report.outcomes).toEqual([
      { target: 'job_runs', outcome: 'pruned', reason: '2 finished claims older than 90 days' },
      {
        target: 'processed_events:slack:',
        outcome: 'pruned',
        reason: '1 handled deliveries older than 7 days',
      },
      {
        target: 'processed_events:teams:',
        outcome: 'pruned',
        reason: '1 handled deliveries older than 7 days',
      },
      { target: 'digest_charts', outcome: 'pruned', reason: '2 settled charts older than 30 days' },
    ]);
    expect(await keysOf(jobRuns)).toEqual(
      ['housekeeping:2026-12-05', 'other:thing', 'reminder:u1:2026-W45', 'weekly-digest:c1:2026-W20'].sort(),
    );
    expect(await keysOf(processedEvents)).toEqual(['slack:Ev-leased', 'slack:Ev-new', 'teams-greeting:conv']);
    expect(await keysOf(digestCharts)).toEqual(['weekly-digest:c1:2026-W32', 'weekly-digest:c1:2026-W47']);
  });

  it('does its work once a day: a second run the same day does nothing, the next day runs again', {
    timeout: 60_000,
  }, async () => {
    await db.insert(processedEvents).values({ key: 'slack:Ev-again', receivedAt: ago(20) });
    const later = await service.runJob('housekeeping', new Date(AT.getTime() + 3600_000));
    expect(later.outcomes).toEqual([]);
    expect(await keysOf(processedEvents)).toContain('slack:Ev-again');

    const nextDay = await service.runJob('housekeeping', new Date(AT.getTime() + DAY));
    expect(nextDay.outcomes).toContainEqual({
      target: 'processed_events:slack:',
      outcome: 'pruned',
      reason: '1 handled deliveries older than 7 days',
    });
    expect(await keysOf(processedEvents)).not.toContain('slack:Ev-again');
  });

  it('deletes a backlog larger than one batch', { timeout: 120_000 }, async () => {
    const old = ago(200);
    const rows = Array.from({ length: 12_345 }, (_, i) => ({
      key: `reminder:u${i}:2026-05-01`,
      job: 'reminders',
      status: 'done' as const,
      startedAt: old,
      finishedAt: old,
    }));
    for (let i = 0; i < rows.length; i += 2_000) await db.insert(jobRuns).values(rows.slice(i, i + 2_000));
    const report = await service.runJob('housekeeping', new Date(AT.getTime() + 2 * DAY));
    expect(report.outcomes[0]).toEqual({
      target: 'job_runs',
      outcome: 'pruned',
      reason: '12345 finished claims older than 90 days',
    });
  });
});
