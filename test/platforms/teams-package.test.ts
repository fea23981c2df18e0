import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';

const run = promisify(execFile);

function pngSize(bytes: Uint8Array): [number, number] {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  return [view.getUint32(16), view.getUint32(20)];
}

describe('the Teams app package', () => {
  it('builds a zip with the filled-in manifest and icons of the sizes Teams requires', async () => {
    const env = {
      ...process.env,
      MICROSOFT_APP_ID: '11111111-2222-3333-4444-555555555555',
      BOT_DOMAIN: 'quiz.example.com',
    };
    await run(process.execPath, ['--import', 'tsx', 'scripts/build-teams-package.ts'], { cwd: ROOT, env });
    const files = unzipSync(readFileSync(path.join(ROOT, 'dist/aif-quiz-teams.zip')));
    expect(Object.keys(files).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    const manifest = JSON.parse(new TextDecoder().decode(files['manifest.json']));
    expect(manifest.id).toBe('11111111-2222-3333-4444-555555555555');
    expect(manifest.bots[0].botId).toBe(manifest.id);
    expect(manifest.bots[0].scopes).toEqual(['team', 'groupChat', 'personal']);
    expect(manifest.validDomains).toEqual(['quiz.example.com']);
    expect(manifest.name.short.length).toBeLessThanOrEqual(30);
    expect(manifest.description.short.length).toBeLessThanOrEqual(80);
    for (const list of manifest.bots[0].commandLists) expect(list.commands.length).toBeLessThanOrEqual(10);
    expect(pngSize(files['color.png']!)).toEqual([192, 192]);
    expect(pngSize(files['outline.png']!)).toEqual([32, 32]);
  });

  it('refuses to build without an app id, saying what to set', async () => {
    const failed = await run(process.execPath, ['--import', 'tsx', 'scripts/build-teams-package.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '' },
    }).catch((error: { code: number; stderr: string }) => error);
    expect((failed as { code: number }).code).toBe(1);
    expect((failed as { stderr: string }).stderr).toContain('MICROSOFT_APP_ID must be');
  });
});
