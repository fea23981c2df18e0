/**
 * Start-up benchmark: time from launching `aif-quiz start` to `/readyz` answering 200, and resident
 * memory once idle, on a new embedded database, an existing one, and a Postgres server. A bare Node
 * HTTP server started the same way is the baseline the figures are divided by.
 *
 *   npm run build && npm run bench:startup            (Postgres runs use DATABASE_URL if set,
 *   RUNS=7 npm run bench:startup                       else the local server at 127.0.0.1:5432)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

const ROOT = path.resolve(import.meta.dirname, '..');
const CLI = path.resolve(ROOT, process.env.CLI ?? 'dist/cli.js');
const RUNS = Number(process.env.RUNS ?? 5);

interface Sample {
  readyMs: number;
  /** CPU the process used until ready: unlike the wall time, it hardly moves with the machine's load. */
  cpuMs: number;
  rssMb: number;
}

async function measure(args: string[], env: Record<string, string>, readyPath = '/readyz'): Promise<Sample> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      HOST: '127.0.0.1',
      SCHEDULER: 'off',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const deadline = started + 180_000;
    for (;;) {
      if (performance.now() > deadline) throw new Error('not ready within 180 s');
      if (child.exitCode !== null)
        throw new Error(`${args.join(' ')} exited with ${child.exitCode} before it was ready`);
      try {
        const response = await fetch(`http://127.0.0.1:${port}${readyPath}`);
        if (response.status === 200) break;
      } catch {
        // not listening yet
      }
      await sleep(10);
    }
    const readyMs = performance.now() - started;
    const cpuMs = cpuOf(child);
    await sleep(1500); // let start-up garbage settle before reading idle memory
    return { readyMs, cpuMs, rssMb: rssOf(child) };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

/** A port nothing listens on now: the system picks it, and it is handed on at once. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function rssOf(child: ChildProcess): number {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/** User + system CPU time of a process so far (fields 14 and 15 of /proc/<pid>/stat, in clock ticks). */
function cpuOf(child: ChildProcess): number {
  const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function summarise(samples: number[]): { median: number; min: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)] ?? 0, min: sorted[0] ?? 0, max: sorted.at(-1) ?? 0 };
}

async function postgresUrl(): Promise<string | undefined> {
  const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    const name = `aifq_bench_${process.pid}`;
    await client.query(`drop database if exists ${name}`);
    await client.query(`create database ${name}`);
    const target = new URL(url);
    target.pathname = `/${name}`;
    return target.toString();
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => {});
  }
}

async function main() {
  if (!existsSync(CLI)) throw new Error('build first: npm run build');
  const scenarios: Array<{ name: string; target?: string; run: () => Promise<Sample> }> = [];
  const baselineScript = `require('node:http').createServer((q,s)=>s.end('ok')).listen(process.env.PORT,'127.0.0.1')`;
  scenarios.push({
    name: 'baseline: bare node:http server',
    run: () => measure(['-e', baselineScript], {}, '/'),
  });
  scenarios.push({
    name: 'embedded database, new folder',
    target: '< 1500 ms, RSS < 250 MB',
    run: async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'aifq-bench-'));
      try {
        return await measure([CLI, 'start', '--http-only'], { DATA_DIR: dir });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  });
  const existing = await mkdtemp(path.join(tmpdir(), 'aifq-bench-'));
  await measure([CLI, 'start', '--http-only'], { DATA_DIR: existing }); // create it once
  scenarios.push({
    name: 'embedded database, existing folder',
    target: '< 1000 ms, RSS < 200 MB',
    run: () => measure([CLI, 'start', '--http-only'], { DATA_DIR: existing }),
  });
  const pgUrl = await postgresUrl();
  if (pgUrl) {
    await measure([CLI, 'start', '--http-only'], { DATABASE_URL: pgUrl }); // migrate once
    scenarios.push({
      name: 'Postgres server',
      target: 'RSS < 150 MB',
      run: () => measure([CLI, 'start', '--http-only'], { DATABASE_URL: pgUrl }),
    });
  } else {
    console.log('(no Postgres reachable: skipping the Postgres scenario)');
  }

  console.log(`aif-quiz start-up, ${RUNS} runs each: median [min–max]; ratio = median / baseline median\n`);
  let baseline: { ready: number; rss: number } | undefined;
  for (const scenario of scenarios) {
    const samples: Sample[] = [];
    for (let i = 0; i < RUNS; i++) samples.push(await scenario.run());
    const ready = summarise(samples.map((s) => s.readyMs));
    const cpu = summarise(samples.map((s) => s.cpuMs));
    const rss = summarise(samples.map((s) => s.rssMb));
    baseline ??= { ready: ready.median, rss: rss.median };
    console.log(
      `${scenario.name.padEnd(38)} ready ${ready.median.toFixed(0).padStart(5)} ms [${ready.min.toFixed(0)}–${ready.max.toFixed(0)}] ×${(ready.median / baseline.ready).toFixed(1).padEnd(5)}` +
        `  cpu ${cpu.median.toFixed(0).padStart(5)} ms` +
        `  idle RSS ${rss.median.toFixed(0).padStart(4)} MB [${rss.min.toFixed(0)}–${rss.max.toFixed(0)}] ×${(rss.median / baseline.rss).toFixed(1)}` +
        (scenario.target ? `   target ${scenario.target}` : ''),
    );
  }
  await rm(existing, { recursive: true, force: true });
  if (pgUrl) {
    const admin = new pg.Client({
      connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    });
    await admin.connect();
    await admin.query(`drop database if exists ${new URL(pgUrl).pathname.slice(1)} with (force)`);
    await admin.end();
  }
}

await main();
