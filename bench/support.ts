import { spawn } from 'node:child_process';
import path from 'node:path';
import { createPostgresDatabase } from '../test/support/database.js';

/** Median, percentiles and spread of a list of numbers. */
export function summarise(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
  return {
    n: sorted.length,
    min: sorted[0] ?? 0,
    p50: at(50),
    p95: at(95),
    p99: at(99),
    max: sorted.at(-1) ?? 0,
  };
}

/** A fresh database on the Postgres server (DATABASE_URL, or the local one at 127.0.0.1:5432). */
export function benchDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  return createPostgresDatabase(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
}

/** Runs `task` for each item with at most `concurrency` in flight. */
export async function withConcurrency<T>(
  items: T[],
  concurrency: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await task(item);
      }
    }),
  );
}

/** Starts bench/slack-peer.ts in its own process; `apiUrl` is for SLACK_API_URL. */
export async function startSlackPeer(args: string[] = []) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(import.meta.dirname, 'slack-peer.ts'), ...args],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    child.once('exit', (code) => reject(new Error(`the fake Slack exited with ${code}`)));
  });
  const base = `http://127.0.0.1:${port}`;
  return {
    apiUrl: `${base}/api/`,
    responseUrl: (name: string) => `${base}/response/${name}`,
    /** When each post to responseUrl(name)/<user> arrived, by user, in ms since the epoch. */
    arrivals: async (name: string) =>
      (await (await fetch(`${base}/arrivals/${name}`)).json()) as Record<string, number>,
    stats: async () =>
      (await (await fetch(`${base}/stats`)).json()) as {
        posts: number;
        refused: number;
        updates: number;
        responses: number;
        refusedByMethod: Record<string, number>;
        /** Files shared without a ticket or bytes first (should stay 0). */
        incomplete: number;
      },
    /** What each channel got: messages posted and charts uploaded through all three steps. */
    digests: async () =>
      (await (await fetch(`${base}/digests`)).json()) as Record<string, { posts: number; charts: number }>,
    close: async () => {
      child.kill();
    },
  };
}
