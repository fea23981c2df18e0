import { spawn } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `aif-quiz` from source as a user would, with exactly the environment given (plus PATH). */
export function runCli(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), ...args], {
      cwd: options.cwd ?? ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * Starts `aif-quiz start --http-only` from source with exactly the environment given (plus PATH),
 * and waits until `processes` of it say they are ready. Returns the URL they serve and their log.
 */
export async function startCli(env: Record<string, string>, processes = 1, timeoutMs = 100_000) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), 'start', '--http-only'],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', LOG_FORMAT: 'json', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const readyUrls = () =>
    [...output.matchAll(/"url":"(http:\/\/[^"]+)".*"msg":"aif-quiz is ready"/g)].map((m) => m[1] as string);
  const deadline = Date.now() + timeoutMs;
  while (readyUrls().length < processes) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`not ready in time:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url: readyUrls()[0] as string,
    pid: child.pid as number,
    readyUrls,
    output: () => output,
    /** Sends SIGTERM and resolves with the exit code. */
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
    /** Sends a signal (SIGKILL for a crash) and resolves once the process is gone. */
    kill: (signal: NodeJS.Signals) => {
      child.kill(signal);
      return exited;
    },
  };
}
