import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Bank } from './load.js';

const DEFAULT_CACHE_DIR = fileURLToPath(new URL('../../node_modules/.cache/aif-quiz/', import.meta.url));

/**
 * `loadBank`, remembered: parsing and validating some 700 questions of YAML is most of the CPU a
 * start-up spends, and the files rarely change between two starts. The bank is kept as JSON under
 * a fingerprint of every file in the bank folder and of the modules that validate it, so any edit
 * (or a new version of the rules) reads the files again. Only a valid bank is kept, and a cache
 * that cannot be written (a read-only install) only costs the time it saves.
 *
 * @example const bank = await loadBankCached('./questions');
 */
export async function loadBankCached(dir: string, cacheDir = DEFAULT_CACHE_DIR): Promise<Bank> {
  const file = path.join(cacheDir, `bank-${await fingerprint(dir)}.json`);
  try {
    return JSON.parse(await readFile(file, 'utf8'), revive) as Bank;
  } catch {
    // Not cached yet (or unreadable): read the files.
  }
  const { loadBank } = await import('./load.js');
  const bank = await loadBank(dir);
  try {
    mkdirSync(cacheDir, { recursive: true });
    const draft = `${file}.${process.pid}`;
    writeFileSync(draft, JSON.stringify(bank, replace));
    renameSync(draft, file);
    forgetOldBanks(cacheDir);
  } catch {
    // Nowhere to keep it: the next start reads the files again.
  }
  return bank;
}

/** Keeps the few most recent banks: each edit of a question file makes a new one. */
function forgetOldBanks(cacheDir: string, keep = 8): void {
  const banks = readdirSync(cacheDir)
    .filter((name) => /^bank-[0-9a-f]+\.json$/.test(name))
    .map((name) => ({ file: path.join(cacheDir, name), at: statSync(path.join(cacheDir, name)).mtimeMs }))
    .sort((a, b) => b.at - a.at);
  for (const old of banks.slice(keep)) rmSync(old.file, { force: true });
}

async function fingerprint(dir: string): Promise<string> {
  const hash = createHash('sha256').update(path.resolve(dir));
  // The modules beside this one decide what a valid bank is: a change to any of them is a new bank.
  const own = fileURLToPath(import.meta.url);
  const modules = (await readdir(path.dirname(own)))
    .filter((name) => name.endsWith(path.extname(own)))
    .sort();
  for (const name of modules) hash.update(await readFile(path.join(path.dirname(own), name)));
  const entries = (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
  for (const entry of entries) hash.update(`\0${path.relative(dir, entry)}\0`).update(await readFile(entry));
  return hash.digest('hex').slice(0, 32);
}

function replace(_key: string, value: unknown): unknown {
  return value instanceof Map ? { $map: [...value] } : value;
}

function revive(_key: string, value: unknown): unknown {
  const map = (value as { $map?: Array<[unknown, unknown]> } | null)?.$map;
  return Array.isArray(map) ? new Map(map) : value;
}
