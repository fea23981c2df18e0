import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SETTINGS } from '../src/config.js';
import { ROOT } from './support/cli.js';

describe('the docs', () => {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const example = readFileSync(path.join(ROOT, '.env.example'), 'utf8');

  it.each(Object.keys(SETTINGS))('README and .env.example both document %s', (name) => {
    expect(readme).toContain(`\`${name}\``);
    expect(example).toContain(name);
  });
});
