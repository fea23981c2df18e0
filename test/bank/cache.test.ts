import { appendFileSync, cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadBankCached } from '../../src/bank/cache.js';
import { loadBank } from '../../src/bank/load.js';
import { ROOT } from '../support/cli.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'aifq-bank-cache-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the remembered question bank', () => {
  it('is the bank the files hold, read from the files once and from the cache after', async () => {
    const dir = path.join(scratch, 'bank');
    const cache = path.join(scratch, 'cache');
    cpSync(path.join(ROOT, 'test/fixtures/mini-bank'), dir, { recursive: true });
    const fresh = await loadBank(dir);

    const first = await loadBankCached(dir, cache);
    expect(first).toEqual(fresh);
    expect(readdirSync(cache)).toHaveLength(1);
    const second = await loadBankCached(dir, cache);
    expect(second).toEqual(fresh);
    expect(second.topics).toBeInstanceOf(Map);
    expect(readdirSync(cache)).toHaveLength(1);
  });

  it('reads the files again when one of them changes, and refuses a broken bank as loadBank does', async () => {
    const dir = path.join(scratch, 'edited');
    const cache = path.join(scratch, 'cache-edited');
    cpSync(path.join(ROOT, 'test/fixtures/mini-bank'), dir, { recursive: true });
    await loadBankCached(dir, cache);
    appendFileSync(path.join(dir, 'topics.yaml'), '\n  - this is not a topic\n');
    await expect(loadBankCached(dir, cache)).rejects.toThrow(/problem/);
    expect(readdirSync(cache)).toHaveLength(1);
  });
});
