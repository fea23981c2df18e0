import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support/cli.js';

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(dir, f));
}

describe('architecture', () => {
  it('no file outside a platform folder imports a chat SDK', () => {
    const offenders = sourceFiles('src')
      .filter((file) => !file.startsWith(path.join('src', 'platforms')))
      .filter((file) =>
        /from ['"](@slack\/|botbuilder|@microsoft\/)/.test(readFileSync(path.join(ROOT, file), 'utf8')),
      );
    expect(offenders).toEqual([]);
  });

  it('only the command line and its helpers read process.env', () => {
    const readers = sourceFiles('src').filter((file) =>
      readFileSync(path.join(ROOT, file), 'utf8').includes('process.env'),
    );
    expect(readers.sort()).toEqual([path.join('src', 'cli.ts')]);
  });
});
