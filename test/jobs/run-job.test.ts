import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../support/cli.js';

/** Runs `aif-quiz local` with some typed lines, as a person at a terminal would. */
function runLocal(dataDir: string, lines: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), 'local'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.stderr.on('data', (chunk) => {
      out += chunk;
    });
    child.on('error', reject);
    child.on('close', () => resolve(out));
    child.stdin.end(`${lines.join('\n')}\n`);
  });
}

describe('aif-quiz run-job', () => {
  it('drives the local channel end to end: close and reveal, then the next daily post', {
    timeout: 120_000,
  }, async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'aifq-runjob-'));
    try {
      const session = await runLocal(dataDir, ['quit']);
      expect(session).toContain('Question of the day');
      const today = /Question of the day · (\d{4}-\d{2}-\d{2})/.exec(session)?.[1] as string;
      const nextDay = new Date(new Date(`${today}T09:00:00Z`).getTime() + 86_400_000).toISOString();

      const close = await runCli(['run-job', 'close-questions', '--at', nextDay], {
        env: { DATA_DIR: dataDir },
      });
      expect(close.code).toBe(0);
      expect(close.stdout).toContain('The answer');
      expect(close.stdout).toContain(`revealed local:local: ${today}`);

      const post = await runCli(['run-job', 'daily-post', '--at', nextDay], { env: { DATA_DIR: dataDir } });
      expect(post.code).toBe(0);
      expect(post.stdout).toMatch(/posted {3}local:local: \d{4}-\d{2}-\d{2} /);

      const again = await runCli(['run-job', 'daily-post', '--at', nextDay], { env: { DATA_DIR: dataDir } });
      expect(again.stdout).toContain('nothing was due');
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses an unknown job or time with a clear message', async () => {
    const unknown = await runCli(['run-job', 'dance'], { env: { DATA_DIR: 'memory://' } });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(
      'Unknown job "dance". Jobs: daily-post, close-questions, weekly-digest, digest-charts, reminders, housekeeping.',
    );
    const badTime = await runCli(['run-job', 'daily-post', '--at', 'tomorrow'], {
      env: { DATA_DIR: 'memory://' },
    });
    expect(badTime.stderr).toContain('--at "tomorrow" is not a time');
  });
});
