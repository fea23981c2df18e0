import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from './support/cli.js';

const BANK = path.join(ROOT, 'test/fixtures/mini-bank');
let dataDir: string;
let holder: Server;
/** A port some other program holds, as a busy 3000 would be. */
let heldPort: number;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'aifq-trial-'));
  holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  heldPort = (holder.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => holder.close(() => resolve()));
  await rm(dataDir, { recursive: true, force: true });
});

/**
 * Runs `aif-quiz` on a real terminal (a pseudo-terminal made by util-linux `script`), as a person
 * at a keyboard would, with exactly the environment given. What is written to `input` is typed.
 */
function inTerminal(args: string[], env: Record<string, string>) {
  const command = [process.execPath, '--import', 'tsx', path.join(ROOT, 'src/cli.ts'), ...args]
    .map((part) => `'${part}'`)
    .join(' ');
  const child = spawn('script', ['-qefc', command, '/dev/null'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TERM: 'dumb', ...env },
  });
  let screen = '';
  child.stdout.on('data', (chunk: Buffer) => {
    screen += chunk.toString();
  });
  const guard = setTimeout(() => child.kill('SIGKILL'), 150_000);
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(guard);
      resolve(code);
    }),
  );
  return {
    screen: () => screen.replace(/\r/g, ''),
    exited,
    type: (line: string) => child.stdin.write(`${line}\n`),
    async waitFor(text: string): Promise<void> {
      // A new embedded database (initdb) can take tens of seconds on a busy machine.
      for (let i = 0; i < 6000 && !screen.includes(text); i++) {
        if (child.exitCode !== null) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      if (!screen.includes(text)) throw new Error(`"${text}" never appeared:\n${screen}`);
    },
  };
}

// One folder for the three trials, which run one after another: a new embedded database takes seconds.
describe('the terminal trial', () => {
  it('opens the local channel even when the HTTP port is taken, since it serves no HTTP unless asked', {
    timeout: 180_000,
  }, async () => {
    const trial = inTerminal(['start'], {
      DATA_DIR: path.join(dataDir, 'trial'),
      QUESTIONS_DIR: BANK,
      HOST: '127.0.0.1',
      PORT: String(heldPort),
    });
    await trial.waitFor('\n> ');
    expect(trial.screen()).toContain('Question of the day');
    expect(trial.screen()).not.toContain('health checks at');
    trial.type('quit');
    expect(await trial.exited).toBe(0);
    expect(trial.screen()).toContain('Bye. Your answers are saved.');
  });

  it('serves health checks beside the local channel when asked with --port', {
    timeout: 180_000,
  }, async () => {
    const trial = inTerminal(['start', '--port', '0'], {
      DATA_DIR: path.join(dataDir, 'trial'),
      QUESTIONS_DIR: BANK,
      HOST: '127.0.0.1',
    });
    await trial.waitFor('\n> ');
    const url = /health checks at (http:\/\/\S+\/healthz)/.exec(trial.screen())?.[1];
    expect(url).toBeDefined();
    expect((await fetch(url as string)).status).toBe(200);
    trial.type('quit');
    expect(await trial.exited).toBe(0);
  });

  it('a port asked for but taken is one readable line and a non-zero exit', {
    timeout: 180_000,
  }, async () => {
    const trial = inTerminal(['start', '--port', String(heldPort)], {
      DATA_DIR: path.join(dataDir, 'trial'),
      QUESTIONS_DIR: BANK,
      HOST: '127.0.0.1',
    });
    expect(await trial.exited).toBe(1);
    expect(trial.screen().trim()).toBe(
      `Port ${heldPort} on 127.0.0.1 is already in use by another program: stop it, or choose another port with PORT (or --port).`,
    );
  });
});

describe('a failure nobody planned for', () => {
  const unreachable = { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nothing-listens-here' };

  it('is one readable line on a terminal', { timeout: 60_000 }, async () => {
    const run = inTerminal(['migrate'], unreachable);
    expect(await run.exited).toBe(1);
    const lines = run.screen().trim().split('\n');
    expect(lines).toEqual([expect.stringMatching(/^aif-quiz failed: .*ECONNREFUSED.*LOG_LEVEL=debug/)]);
  });

  it('shows where it happened with LOG_LEVEL=debug', { timeout: 60_000 }, async () => {
    const run = inTerminal(['migrate'], { ...unreachable, LOG_LEVEL: 'debug' });
    expect(await run.exited).toBe(1);
    expect(run.screen()).toContain('ECONNREFUSED');
    expect(run.screen()).toMatch(/\n\s+at /);
  });

  it('is one JSON log line when not on a terminal, for the log collector', { timeout: 60_000 }, async () => {
    const run = await runCli(['migrate'], { env: unreachable });
    expect(run.code).toBe(1);
    const line = JSON.parse(run.stderr.trim()) as { msg: string; err: { message: string; stack: string } };
    expect(line.msg).toBe('aif-quiz failed');
    expect(line.err.message).toContain('ECONNREFUSED');
    expect(line.err.stack).toContain('at ');
  });
});

describe('the command line tells', () => {
  it('its version', async () => {
    const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    for (const flag of ['--version', '-v']) {
      const run = await runCli([flag]);
      expect(run.code, flag).toBe(0);
      expect(run.stdout.trim(), flag).toBe(version);
    }
  });

  it('how to ask npm for HTTP only, in a form npm passes on', async () => {
    const run = await runCli(['start'], { env: { DATA_DIR: 'memory://' } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('npm start -- --http-only');
  });
});
