import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, queryRows } from '../../src/db/client.js';
import { LOCK_FILE } from '../../src/db/data-dir-lock.js';
import { ROOT, runCli } from '../support/cli.js';

const BANK = path.join(ROOT, 'test/fixtures/mini-bank');
let dataDir: string;
const running = new Set<ChildProcessWithoutNullStreams>();

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'aifq-local-'));
});
afterAll(async () => {
  for (const child of running) child.kill('SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
});

/** `aif-quiz local` as a child process on its own embedded database, typed into through a pipe. */
function startLocal(dir: string) {
  const child: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), 'local'],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATA_DIR: dir, QUESTIONS_DIR: BANK },
    },
  );
  let screen = '';
  child.stdout.on('data', (chunk: Buffer) => {
    screen += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    screen += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  // Never leave a child behind, whatever the test does.
  running.add(child);
  const guard = setTimeout(() => child.kill('SIGKILL'), 180_000);
  void exited.then(() => {
    clearTimeout(guard);
    running.delete(child);
  });

  async function untilPrompt(after: number, what: string): Promise<string> {
    // A new embedded database (initdb) can take tens of seconds on a busy machine.
    for (let i = 0; i < 6000; i++) {
      const added = screen.slice(after);
      if (added.endsWith('\n> ')) return added;
      if (child.exitCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`no prompt after ${what}:\n${screen}`);
  }
  return {
    child,
    exited,
    screen: () => screen,
    ready: () => untilPrompt(0, 'start-up'),
    async type(line: string): Promise<string> {
      const before = screen.length;
      child.stdin.write(`${line}\n`);
      return untilPrompt(before, `"${line}"`);
    },
  };
}

async function practiceAnswersIn(dir: string): Promise<number> {
  const handle = await openDatabase({ kind: 'pglite', dataDir: dir });
  try {
    const [row] = await queryRows<{ n: number }>(
      handle.db,
      sql`select count(*)::int as n from practice_answers`,
    );
    return Number(row?.n);
  } finally {
    await handle.close();
  }
}

describe('the embedded database folder', () => {
  it('belongs to one process: a second one is refused, naming the first, and exits non-zero', {
    timeout: 240_000,
  }, async () => {
    const dir = path.join(dataDir, 'shared');
    const first = startLocal(dir);
    await first.ready();
    const second = await runCli(['local'], {
      env: { DATA_DIR: dir, QUESTIONS_DIR: BANK },
      timeoutMs: 90_000,
    });
    expect(second.code).not.toBe(0);
    expect(second.stderr).toContain(
      `is in use by process ${first.child.pid}; stop it or use another DATA_DIR`,
    );
    const migrate = await runCli(['migrate'], { env: { DATA_DIR: dir }, timeoutMs: 90_000 });
    expect(migrate.code).not.toBe(0);
    expect(migrate.stderr).toContain(`in use by process ${first.child.pid}`);

    first.child.stdin.write('quit\n');
    expect((await first.exited).code).toBe(0);
    expect(existsSync(path.join(dir, LOCK_FILE))).toBe(false);
  });

  it('left locked by a process that died is taken over', { timeout: 240_000 }, async () => {
    const dir = path.join(dataDir, 'stale');
    const crashed = startLocal(dir);
    await crashed.ready();
    crashed.child.kill('SIGKILL');
    await crashed.exited;
    expect(existsSync(path.join(dir, LOCK_FILE))).toBe(true);

    const next = startLocal(dir);
    expect(await next.ready()).toContain('Question of the day');
    next.child.stdin.end();
    expect((await next.exited).code).toBe(0);

    // A lock naming a PID that no longer exists (here, one far above any real PID).
    writeFileSync(path.join(dir, LOCK_FILE), '99999999\n');
    await expect(practiceAnswersIn(dir)).resolves.toBe(0);
  });
});

describe('stopping the terminal channel', () => {
  const WAYS = ['quit', 'Ctrl-D', 'Ctrl-C', 'SIGTERM'] as const;

  it('keeps every answer, whether it is left with quit, Ctrl-D, Ctrl-C or SIGTERM (20 rounds)', {
    timeout: 900_000,
  }, async () => {
    const dir = path.join(dataDir, 'rounds');
    for (let round = 1; round <= 20; round++) {
      const way = WAYS[(round - 1) % WAYS.length] as (typeof WAYS)[number];
      const local = startLocal(dir);
      await local.ready();
      // Every answer of the rounds before is there (practice answers count in the stats).
      if (round > 1) expect(await local.type('stats'), `round ${round}`).toContain(`Answered ${round - 1} ·`);
      await local.type('topic fairness');
      expect(await local.type('A'), `round ${round}`).toMatch(/Correct!|Not quite/);
      if (way === 'quit') local.child.stdin.write('quit\n');
      if (way === 'Ctrl-D') local.child.stdin.end();
      if (way === 'Ctrl-C') local.child.kill('SIGINT');
      if (way === 'SIGTERM') local.child.kill('SIGTERM');
      const { code, signal } = await local.exited;
      expect({ round, way, code, signal }).toEqual({ round, way, code: 0, signal: null });
      expect(local.screen(), `round ${round} (${way})`).toContain('Bye. Your answers are saved.');
    }
    expect(await practiceAnswersIn(dir)).toBe(20);
  });
});
