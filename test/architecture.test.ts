import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support/cli.js';
import { findCycles, importsOf, packagesOf, sourceFiles } from './support/import-graph.js';

const MAX_LINES = 400;

/** Chat SDKs: allowed only inside their own platform folder. */
const SDK = /^(@slack\/|botbuilder|@microsoft\/)/;

const src = sourceFiles(ROOT, 'src');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

describe('architecture', () => {
  it('no file outside a platform folder imports a chat SDK', () => {
    const offenders = src
      .filter((file) => !file.startsWith('src/platforms/'))
      .filter((file) => packagesOf(ROOT, file).some((p) => SDK.test(p)));
    expect(offenders).toEqual([]);
  });

  it('the domain imports no chat SDK and nothing from a platform, the HTTP server or the jobs', () => {
    const offenders = src
      .filter((file) => /^src\/(quiz|learning|insight)\//.test(file))
      .flatMap((file) => [
        ...packagesOf(ROOT, file)
          .filter((p) => SDK.test(p))
          .map((p) => `${file} → ${p}`),
        ...importsOf(ROOT, file)
          .filter((target) => /^src\/(platforms|http|jobs)\//.test(target) || target === 'src/main.ts')
          .map((target) => `${file} → ${target}`),
      ]);
    expect(offenders).toEqual([]);
  });

  it('only the command line reads process.env: the domain and everything else get settings passed in', () => {
    const readers = src.filter((file) => read(file).includes('process.env'));
    expect(readers).toEqual(['src/cli.ts']);
  });

  it('no import cycles under src/', () => {
    const graph = new Map(src.map((file) => [file, importsOf(ROOT, file)]));
    const cycles = findCycles(graph).map((cycle) => cycle.join(' → '));
    expect(cycles).toEqual([]);
  });

  it(`no file under src/ is over ${MAX_LINES} lines`, () => {
    const oversized = src
      .map((file) => ({ file, lines: read(file).split('\n').length - 1 }))
      .filter(({ lines }) => lines > MAX_LINES)
      .map(({ file, lines }) => `${file}: ${lines} lines`);
    expect(oversized).toEqual([]);
  });

  it('the cycle finder sees a cycle when there is one', () => {
    // Guards the guard: without this, a finder that never finds anything would pass the test above.
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts']],
    ]);
    expect(findCycles(graph)).toEqual([['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
    expect(findCycles(new Map([['a.ts', ['b.ts']]]))).toEqual([]);
  });
});
